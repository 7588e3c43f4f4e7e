#!/usr/bin/python3
"""The transfer convnet of Choi et al. (ISMIR 2017) as a torch module, built from the keras-2 weights file.

    /usr/bin/python3 models/convnet/choi_backbone.py [--weights model_best.hdf5] [--check-clip blues.00099.mp3
        --check-csv convnet_features.csv] [--out models/convnet/backbone.onnx]

Reimplements the layers stored in keunwoochoi/transfer_learning_music keras2_model/model_best.hdf5 (kapre
0.1.x `Melspectrogram` + `Normalization2D` + five Conv-BN-ELU-MaxPool blocks + dense 32->50 sigmoid) from
what kapre's source does, not from kapre's code:

  audio [N, 348000] (12 kHz mono, 29 s, zero-padded)
  -> STFT as two strided 1-D correlations with the DFT kernels stored in the file (n_dft 512, hop 256,
     TensorFlow 'same' padding: ceil(n / 256) = 1360 frames, 208 zeros before and after)
  -> power re^2 + im^2 -> mel with the stored [257, 96] filterbank
  -> 10 log10(max(x, 1e-10)), minus the maximum of the clip, floored at -80 dB
  -> per-clip standardisation (x - mean) / (population std + 1e-10)
  -> 5 x [Conv2D 3x3x32 'same' -> BatchNorm (moving statistics, eps 1e-3) -> ELU -> MaxPool]
  embedding [N, 160]: the mean over frequency and time of each block's ELU output, blocks in order
  msd_tags  [N, 50]: sigmoid(dense(global max of the last block))

The maximum and the statistics are per clip (kapre took them over the batch; the authors' features were
computed one clip at a time, so per clip is what reproduces them).
"""
import argparse
import csv
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SR = 12000
SECONDS = 29
N_SAMPLES = SR * SECONDS            # 348000
N_DFT = 512
HOP = 256
N_FRAMES = -(-N_SAMPLES // HOP)     # 1360, TensorFlow 'same'
PAD_TOTAL = max((N_FRAMES - 1) * HOP + N_DFT - N_SAMPLES, 0)
PAD_BEFORE = PAD_TOTAL // 2
PAD_AFTER = PAD_TOTAL - PAD_BEFORE
POOLS = [(2, 4), (3, 4), (2, 5), (2, 4), (4, 4)]
BN_EPS = 1e-3
OPSET = 17
DEFAULT_WEIGHTS = "/work/shared/models/choi-convnet/model_best.hdf5"
DEFAULT_CLIP = "/work/shared/data/gtzan/blues.00099.mp3"
DEFAULT_CSV = "/work/shared/data/gtzan/convnet_features.csv"
EMBEDDING_NAMES = ["layer%d_%02d" % (b + 1, c) for b in range(5) for c in range(32)]


def _w(f, layer, name):
    return np.array(f["model_weights"][layer][layer][name + ":0"], dtype=np.float32)


class ChoiBackbone(nn.Module):
    """audio [N, 348000] -> (embedding [N, 160], msd_tags [N, 50])."""

    def __init__(self, weights_path):
        super().__init__()
        import h5py
        with h5py.File(weights_path, "r") as f:
            real = _w(f, "melgram", "real_kernels")          # (512, 1, 1, 257)
            imag = _w(f, "melgram", "imag_kernels")
            fb = _w(f, "melgram", "Variable")                # (257, 96)
            dft = np.concatenate([real[:, 0, 0, :], imag[:, 0, 0, :]], axis=1)   # (512, 514)
            self.register_buffer("dft", torch.from_numpy(dft.T.copy()).unsqueeze(1))  # (514, 1, 512)
            self.register_buffer("mel", torch.from_numpy(fb.copy()))                  # (257, 96)
            self.convs = nn.ModuleList()
            self.bns = nn.ModuleList()
            for b in range(1, 6):
                k = _w(f, "conv2d_%d" % b, "kernel")         # (3, 3, in, out), rows = freq, cols = time
                conv = nn.Conv2d(k.shape[2], k.shape[3], 3, padding=1)
                conv.weight.data = torch.from_numpy(k.transpose(3, 2, 0, 1).copy())
                conv.bias.data = torch.from_numpy(_w(f, "conv2d_%d" % b, "bias"))
                bn = nn.BatchNorm2d(32, eps=BN_EPS)
                layer = "batch_normalization_%d" % b
                bn.weight.data = torch.from_numpy(_w(f, layer, "gamma"))
                bn.bias.data = torch.from_numpy(_w(f, layer, "beta"))
                bn.running_mean.data = torch.from_numpy(_w(f, layer, "moving_mean"))
                bn.running_var.data = torch.from_numpy(_w(f, layer, "moving_variance"))
                self.convs.append(conv)
                self.bns.append(bn)
            self.dense = nn.Linear(32, 50)
            self.dense.weight.data = torch.from_numpy(_w(f, "dense_1", "kernel").T.copy())
            self.dense.bias.data = torch.from_numpy(_w(f, "dense_1", "bias"))
        self.eval()

    def melgram(self, audio):
        x = F.pad(audio.unsqueeze(1), (PAD_BEFORE, PAD_AFTER))            # [N, 1, 348416]
        spec = F.conv1d(x, self.dft, stride=HOP)                            # [N, 514, 1360]
        re, im = spec[:, :257, :], spec[:, 257:, :]
        power = re * re + im * im                                           # [N, 257, T]
        mel = torch.matmul(power.transpose(1, 2), self.mel).transpose(1, 2)  # [N, 96, T]
        db = 10.0 * torch.log10(torch.clamp(mel, min=1e-10))
        db = db - torch.amax(db, dim=(1, 2), keepdim=True)
        db = torch.clamp(db, min=-80.0)
        mean = db.mean(dim=(1, 2), keepdim=True)
        std = torch.sqrt(((db - mean) ** 2).mean(dim=(1, 2), keepdim=True))
        return ((db - mean) / (std + 1e-10)).unsqueeze(1)                  # [N, 1, 96, T]

    def forward(self, audio):
        h = self.melgram(audio)
        feats = []
        for conv, bn, pool in zip(self.convs, self.bns, POOLS):
            h = F.elu(bn(conv(h)))
            feats.append(h.mean(dim=(2, 3)))
            h = F.max_pool2d(h, pool, pool)
        tags = torch.sigmoid(self.dense(torch.amax(h, dim=(2, 3))))
        return torch.cat(feats, dim=1), tags


def decode_12k(path):
    """ffmpeg to 12 kHz mono float32, first 29 s, zero-padded: the reference pipeline's input."""
    raw = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-t", str(SECONDS), "-f", "f32le",
                          "-ac", "1", "-ar", str(SR), "-"], check=True, capture_output=True).stdout
    x = np.frombuffer(raw, dtype="<f4")[:N_SAMPLES]
    out = np.zeros(N_SAMPLES, dtype=np.float32)
    out[:len(x)] = x
    return out


def load_embeddings(path):
    """(files, labels, E [n, 160]) from the authors' convnet feature CSV."""
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    idx = [header.index(n) for n in EMBEDDING_NAMES]
    files = [r[0] for r in rows]
    labels = [r[header.index("label")] for r in rows]
    E = np.array([[float(r[i]) for i in idx] for r in rows], dtype=np.float64)
    return files, labels, E


def fidelity(model, clip, csv_path):
    files, _labels, E = load_embeddings(csv_path)
    name = os.path.basename(clip).rsplit(".", 1)[0] + ".au"
    with torch.no_grad():
        emb, tags = model(torch.from_numpy(decode_12k(clip)).unsqueeze(0))
    e = emb[0].double().numpy()
    ref = E[files.index(name)]
    corr = float(np.corrcoef(e, ref)[0, 1])
    dist = np.linalg.norm(E - e, axis=1)
    nearest = files[int(np.argmin(dist))]
    return corr, nearest, name, float(np.abs(e - ref).max()), tags[0].numpy()


def export(model, path):
    dummy = torch.zeros(2, N_SAMPLES, dtype=torch.float32)
    torch.onnx.export(model, dummy, path, input_names=["audio"], output_names=["embedding", "msd_tags"],
                      dynamic_axes={"audio": {0: "N"}, "embedding": {0: "N"}, "msd_tags": {0: "N"}},
                      opset_version=OPSET, do_constant_folding=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weights", default=DEFAULT_WEIGHTS)
    ap.add_argument("--check-clip", default=DEFAULT_CLIP)
    ap.add_argument("--check-csv", default=DEFAULT_CSV)
    ap.add_argument("--out", default=None, help="also write the backbone alone as ONNX")
    a = ap.parse_args()
    torch.set_num_threads(1)
    model = ChoiBackbone(a.weights)
    corr, nearest, name, worst, _tags = fidelity(model, a.check_clip, a.check_csv)
    print("fidelity %s: correlation %.5f with its CSV row, max |diff| %.4f, nearest row %s"
          % (name, corr, worst, nearest))
    if corr < 0.99 or nearest != name:
        sys.exit("fidelity check failed")
    if a.out:
        export(model, a.out)
        print("wrote", a.out)


if __name__ == "__main__":
    main()
