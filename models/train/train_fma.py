#!/usr/bin/python3
"""Train and export the FMA-small genre packages (8 root genres) from the FMA descriptor CSV.

    /usr/bin/python3 models/train/train_fma.py [--csv PATH] [--out models] [--search]

Produces, under --out:
  fma-small/model.json, fma-small/model.onnx          5-member deep ensemble, logits [N,5,8]
  fma-small-mcd/model.json, fma-small-mcd/model.onnx  MC-dropout variant (member of seed 1, dropout kept
                                                      active in the graph), logits [N,1,8]
  fma/study/metrics.json, fma/study/train_log.txt     every figure the script prints

Data: FMA small's 30 s clips, 46 librosa-default descriptors at 22,050 Hz (zero-crossing rate, spectral
centroid and rolloff, 20 MFCCs; mean and variance of each), as in the public repository dcmid/GENREcognition
(derived from FMA's metadata, CC BY 4.0); the shared CSV holds 6,986 of FMA small's 7,986 labelled tracks.
Labels are FMA's own root-genre titles (genres.csv, parent 0).

Split: FMA's official artist-disjoint split (tracks.csv) is not available here, so the split is by contiguous
track-id blocks within each genre: a genre's tracks sorted by id, the first 70 % train, the next 15 %
validation, the last 15 % test. An artist's or album's tracks were uploaded together and have neighbouring
ids, so blocks keep most of an artist on one side; it is not artist-disjoint, and a few artists straddle
block edges. Validation chooses the configuration (--search) and fits T; the test block is only reported.

The network, metrics, temperature fit, ONNX export and its verification are train_gtzan.py's (one
definition for every descriptor family); only the data, split and configuration differ.
"""
import argparse
import csv
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_gtzan as tg  # noqa: E402

LABELS = ["Electronic", "Experimental", "Folk", "Hip-Hop", "Instrumental", "International", "Pop", "Rock"]
FRACTIONS = (0.70, 0.15)        # train, validation; the rest of each genre's id-sorted tracks is test
SPLIT_TEXT = ("contiguous track-id blocks per genre (FMA's official artist-disjoint split is not available): "
              "each genre's tracks sorted by track id, first 70% train, next 15% validation, last 15% test")
DATA_TEXT = ("FMA small, 46 librosa-default descriptors of the 30 s clips at 22,050 Hz (dcmid/GENREcognition, "
             "CC BY 4.0); 6,986 of the 7,986 labelled tracks, 8 root genres")

# Chosen on the validation block with --search (see the module docstring and models/README.md).
HIDDEN = (256, 128)
P_DROP = 0.5
EPOCHS = 60
BATCH = 64
LR = 1e-3
WEIGHT_DECAY = 1e-3
SEEDS = [1, 2, 3, 4, 5]
MC_SEED = 1
MC_PASSES = 30
MC_SEED_VALIDATION = 1001
MC_SEED_TEST = 1002
FRONT_END = "librosa-descriptors-46"
DEFAULT_CSV = "/work/shared/data/fma/fma_small_features.csv"
SEARCH = [dict(hidden=h, p=p, wd=wd, epochs=e, batch=b)
          for h in ((128, 64), (256, 128)) for p in (0.3, 0.5) for wd in (1e-4, 1e-3)
          for e, b in ((60, 64), (120, 32))]


def load_csv(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    if header[0] != "filename" or header[1] != "track_id" or header[-1] != "label":
        raise SystemExit("unexpected CSV header: %s" % header[:3])
    features = header[2:-1]
    if len(features) != 46:
        raise SystemExit("expected 46 descriptors, found %d" % len(features))
    files, X, y, ids = [], [], [], []
    for r in rows:
        if r[-1] not in LABELS:
            raise SystemExit("label %r is not one of FMA's 8 root genres" % r[-1])
        if r[0] != "%06d.mp3" % int(r[1]):
            raise SystemExit("file name %s does not match track id %s" % (r[0], r[1]))
        files.append(r[0])
        X.append([float(v) for v in r[2:-1]])
        y.append(LABELS.index(r[-1]))
        ids.append(int(r[1]))
    return features, np.array(files), np.array(X, dtype=np.float64), np.array(y), np.array(ids)


def split_indices(y, ids):
    out = {"train": [], "validation": [], "test": []}
    for c in range(len(LABELS)):
        idx = np.where(y == c)[0]
        idx = idx[np.argsort(ids[idx], kind="stable")]
        n_tr = int(round(FRACTIONS[0] * len(idx)))
        n_va = int(round(FRACTIONS[1] * len(idx)))
        out["train"].append(idx[:n_tr])
        out["validation"].append(idx[n_tr:n_tr + n_va])
        out["test"].append(idx[n_tr + n_va:])
    return {k: np.concatenate(v) for k, v in out.items()}


def train_member(seed, cfg, Ztr, ytr, Zva, yva, log):
    tg.seed_everything(seed)
    net = tg.Net(Ztr.shape[1], len(LABELS), cfg["p"], hidden=cfg["hidden"])
    opt = torch.optim.Adam(net.parameters(), lr=LR, weight_decay=cfg["wd"])
    gen = torch.Generator().manual_seed(seed)
    n = Ztr.shape[0]
    for epoch in range(1, cfg["epochs"] + 1):
        net.train()
        net.stochastic = True
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for i in range(0, n, cfg["batch"]):
            idx = perm[i:i + cfg["batch"]]
            loss = F.cross_entropy(net(Ztr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        if log and (epoch % 20 == 0 or epoch == cfg["epochs"]):
            net.eval()
            net.stochastic = False
            with torch.no_grad():
                va = net(Zva)
            log("  seed %d epoch %3d  train loss %.4f  val NLL %.4f  val acc %.4f"
                % (seed, epoch, total / n, F.cross_entropy(va, yva).item(),
                   (va.argmax(1) == yva).float().mean().item()))
    net.eval()
    net.stochastic = False
    return net


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", default=DEFAULT_CSV)
    ap.add_argument("--out", default="models")
    ap.add_argument("--search", action="store_true", help="compare the configurations on validation, then stop")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    t0 = time.time()
    lines = []

    def log(s=""):
        print(s, flush=True)
        lines.append(s)

    features, files, X, y, ids = load_csv(args.csv)
    sp = split_indices(y, ids)
    Xtr, Xva, Xte = (X[sp[k]] for k in ("train", "validation", "test"))
    ytr, yva, yte = (y[sp[k]] for k in ("train", "validation", "test"))
    log("data: %s  train %d  validation %d  test %d" % (args.csv, len(ytr), len(yva), len(yte)))
    for k in ("train", "validation", "test"):
        log("  %-10s per genre %s, track ids %s" % (k, np.bincount(y[sp[k]], minlength=len(LABELS)).tolist(),
            ", ".join("%s %d-%d" % (LABELS[c], ids[sp[k]][y[sp[k]] == c].min(), ids[sp[k]][y[sp[k]] == c].max())
                      for c in range(len(LABELS)))))

    mean = Xtr.mean(axis=0)
    std = Xtr.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    standardize = tg.Standardize(mean, std)
    with torch.no_grad():
        Ztr = standardize(torch.tensor(Xtr, dtype=torch.float32))
        Zva = standardize(torch.tensor(Xva, dtype=torch.float32))
    ytr_t, yva_t = torch.tensor(ytr), torch.tensor(yva)

    if args.search:
        log("configuration search on the validation block (seeds 1 and 2; T fitted on validation, so the "
            "calibrated NLL is optimistic and only compares configurations)")
        for cfg in SEARCH:
            accs, nlls = [], []
            for seed in (1, 2):
                net = train_member(seed, cfg, Ztr, ytr_t, Zva, yva_t, None)
                L = tg.logits_of(torch.nn.Sequential(standardize, net), Xva)[:, None, :]
                T = tg.fit_temperature(L, yva)
                m = tg.metrics(tg.probs(L, T), yva)
                accs.append(m["accuracy"])
                nlls.append(m["nll"])
            log("  %s  val acc %.4f  val NLL at own T %.4f" % (cfg, np.mean(accs), np.mean(nlls)))
        return

    cfg = dict(hidden=HIDDEN, p=P_DROP, wd=WEIGHT_DECAY, epochs=EPOCHS, batch=BATCH)
    log("training %d members: 46-%d-%d-8, dropout %.1f, Adam lr %g, weight decay %g, batch %d, %d epochs"
        % (len(SEEDS), HIDDEN[0], HIDDEN[1], P_DROP, LR, WEIGHT_DECAY, BATCH, EPOCHS))
    nets = [train_member(s, cfg, Ztr, ytr_t, Zva, yva_t, log) for s in SEEDS]
    ens = tg.EnsembleGraph(standardize, nets).eval()
    mc_net = tg.Net(X.shape[1], len(LABELS), P_DROP, hidden=HIDDEN)
    mc_net.load_state_dict(nets[SEEDS.index(MC_SEED)].state_dict())
    mc_net.eval()
    mc_net.stochastic = True
    mcg = tg.McDropoutGraph(standardize, mc_net).eval()

    Lva_ens, Lte_ens = tg.logits_of(ens, Xva), tg.logits_of(ens, Xte)
    methods = {"member%d" % s: (Lva_ens[:, i:i + 1], Lte_ens[:, i:i + 1]) for i, s in enumerate(SEEDS)}
    methods["ensemble"] = (Lva_ens, Lte_ens)
    methods["mc-dropout"] = (tg.mc_logits(mcg, Xva, MC_PASSES, MC_SEED_VALIDATION),
                             tg.mc_logits(mcg, Xte, MC_PASSES, MC_SEED_TEST))
    results = {}
    for name, (Lva, Lte) in methods.items():
        T_val = tg.fit_temperature(Lva, yva)
        T_test = tg.fit_temperature(Lte, yte)
        results[name] = {
            "T1": {"validation": tg.metrics(tg.probs(Lva, 1.0), yva), "test": tg.metrics(tg.probs(Lte, 1.0), yte)},
            "calibrated": {"validation": tg.metrics(tg.probs(Lva, T_val), yva),
                           "test": tg.metrics(tg.probs(Lte, T_val), yte)},
            "validationOptimalT": T_val, "testOptimalT": T_test,
        }

    log()
    log("## Test block (%d tracks): T = 1 vs T fitted on validation" % len(yte))
    log()
    log("| method | T (validation) | T optimal on test | accuracy | NLL T=1 | NLL cal | ECE T=1 | ECE cal "
        "| MAE T=1 | MAE cal |")
    log("|---|---|---|---|---|---|---|---|---|---|")
    for name in ["ensemble", "mc-dropout"] + ["member%d" % s for s in SEEDS]:
        r = results[name]
        a, c = r["T1"]["test"], r["calibrated"]["test"]
        log("| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f |"
            % (name, r["validationOptimalT"], r["testOptimalT"], a["accuracy"], a["nll"], c["nll"], a["ece"],
               c["ece"], a["mae"], c["mae"]))

    out = args.out
    pk_ens, pk_mc, study = (os.path.join(out, d) for d in ("fma-small", "fma-small-mcd", os.path.join("fma", "study")))
    for d in (pk_ens, pk_mc, study):
        os.makedirs(d, exist_ok=True)
    f_ens, f_mc = os.path.join(pk_ens, "model.onnx"), os.path.join(pk_mc, "model.onnx")
    tg.export(ens, f_ens, X.shape[1])
    tg.export(mcg, f_mc, X.shape[1])
    m_ens, ops_ens = tg.check_graph(f_ens, len(SEEDS), stochastic=False, classes=len(LABELS))
    m_mc, ops_mc = tg.check_graph(f_mc, 1, stochastic=True, classes=len(LABELS))
    d_ens = tg.verify_ensemble(m_ens, ens, Xte)
    d_mc, d_pass = tg.verify_mc(m_mc, mcg, Xte)
    log()
    log("export: fma-small/model.onnx checker OK, max |onnx - torch| %.2e; fma-small-mcd/model.onnx checker OK, "
        "shared draws %.2e, two torch passes differ by up to %.3f" % (d_ens, d_mc, d_pass))

    split_files = {k: files[v].tolist() for k, v in sp.items()}

    def package(dirpath, pid, name, members, passes, method, seeds, onnx_path):
        r = results[method]
        doc = {
            "formatVersion": 1, "id": pid, "version": "1.0.0", "task": "genre", "name": name,
            "labels": LABELS, "sampleRate": 22050,
            "frontEnd": {"type": FRONT_END, "features": features},
            "windowing": {"windowSeconds": 30.0, "maxWindows": 3, "placement": "spread",
                          "combine": "mean-probability"},
            "input": {"name": "features", "shape": [-1, len(features)]},
            "output": {"name": "logits", "shape": [-1, members, len(LABELS)]},
            "members": members, "mcDropout": {"passes": passes},
            "files": {"model.onnx": tg.sha256(onnx_path)},
            "defaultTemperature": tg.r4(r["validationOptimalT"]),
            "provenance": {
                "data": DATA_TEXT, "split": SPLIT_TEXT, "seeds": seeds, "trainedBy": "models/train/train_fma.py",
                "trainFiles": split_files["train"], "validationFiles": split_files["validation"],
                "testFiles": split_files["test"],
                "metrics": {"test": {"T1": tg.rmet(r["T1"]["test"]), "calibrated": tg.rmet(r["calibrated"]["test"])},
                            "validationOptimalT": tg.r4(r["validationOptimalT"]),
                            "testOptimalT": tg.r4(r["testOptimalT"])},
            },
        }
        with open(os.path.join(dirpath, "model.json"), "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        return doc

    j_ens = package(pk_ens, "fma-small", "FMA-small descriptor MLP ensemble (5 members, 8 root genres)",
                    len(SEEDS), 0, "ensemble", SEEDS, f_ens)
    j_mc = package(pk_mc, "fma-small-mcd", "FMA-small descriptor MLP with MC dropout (%d passes)" % MC_PASSES,
                   1, MC_PASSES, "mc-dropout", [MC_SEED], f_mc)
    summary = {
        "config": {"hidden": list(HIDDEN), "dropout": P_DROP, "seeds": SEEDS, "epochs": EPOCHS, "batch": BATCH,
                   "lr": LR, "weightDecay": WEIGHT_DECAY, "mcPasses": MC_PASSES, "split": SPLIT_TEXT,
                   "bins": tg.N_BINS, "torch": torch.__version__, "numpy": np.__version__},
        "results": results,
        "sha256": {"fma-small/model.onnx": j_ens["files"]["model.onnx"],
                   "fma-small-mcd/model.onnx": j_mc["files"]["model.onnx"]},
    }
    with open(os.path.join(study, "metrics.json"), "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
        f.write("\n")
    log()
    log("sha256 fma-small/model.onnx     %s" % j_ens["files"]["model.onnx"])
    log("sha256 fma-small-mcd/model.onnx %s" % j_mc["files"]["model.onnx"])
    print("done in %.1f s" % (time.time() - t0))
    with open(os.path.join(study, "train_log.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
