#!/usr/bin/python3
"""Train and export Tempered's default genre model packages from the GTZAN descriptor CSV.

    /usr/bin/python3 models/train/train_gtzan.py [--csv PATH] [--out models]

Produces, under --out:
  gtzan-mlp/model.json, gtzan-mlp/model.onnx          5-member deep ensemble, logits [N,5,10]
  gtzan-mlp-mcd/model.json, gtzan-mlp-mcd/model.onnx  MC-dropout variant (member 1 with dropout
                                                      kept active in the graph), logits [N,1,10]
  study/sweep.csv                                     ECE/MAE/NLL/accuracy vs temperature
  study/metrics.json                                  every figure the script prints

Everything is deterministic (fixed seeds, deterministic algorithms, one thread), so a rerun on
the same software stack reproduces the committed weights, hashes and metrics.

Split (GTZAN artists are clustered by clip number, so the split is by contiguous blocks of each
genre's clip numbers): train 00020-00067 (48/genre), validation 00068-00083 (16/genre), test
00084-00099 (16/genre). Validation is used only to fit the temperature; training runs a fixed
number of epochs (no early stopping), so the test block is never looked at before reporting.
"""
import argparse
import csv
import hashlib
import json
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from scipy.optimize import minimize_scalar

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_numpy  # noqa: E402

LABELS = ["blues", "classical", "country", "disco", "hiphop",
          "jazz", "metal", "pop", "reggae", "rock"]
SPLITS = {"train": (20, 67), "validation": (68, 83), "test": (84, 99)}
SPLIT_TEXT = ("contiguous clip-number blocks per genre: train 00020-00067, "
              "validation 00068-00083, test 00084-00099")
DATA_TEXT = "GTZAN features_30_sec.csv (librosa defaults, 30 s clips)"

HIDDEN = (128, 64)
P_DROP = 0.3
SEEDS = [1, 2, 3, 4, 5]
MC_SEED = 1                 # the MC-dropout package uses the network trained with seed 1
EPOCHS = 120
BATCH = 32
LR = 1e-3
WEIGHT_DECAY = 1e-4
MC_PASSES = 30
MC_SEED_VALIDATION = 1001   # torch seed for the 30 passes over the validation block
MC_SEED_TEST = 1002         # ... and over the test block
N_BINS = 15
T_GRID = np.geomspace(0.25, 4.0, 41)   # log-spaced, step 2**0.1, contains T=1 exactly
LOG_T_BOUNDS = (-3.0, 3.0)
OPSET = 17
DEFAULT_CSV = "/work/shared/data/gtzan/features_30_sec.csv"


# ----------------------------------------------------------------------------------- data

def load_csv(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    if header[0] != "filename" or header[1] != "length" or header[-1] != "label":
        raise SystemExit("unexpected CSV header: %s" % header[:3])
    features = header[2:-1]
    if len(features) != 57:
        raise SystemExit("expected 57 descriptors, found %d" % len(features))
    files, X, y, clip = [], [], [], []
    for r in rows:
        name, label = r[0], r[-1]
        genre, number, _ext = name.split(".")
        if genre != label or label not in LABELS:
            raise SystemExit("bad row: %s / %s" % (name, label))
        files.append(name)
        X.append([float(v) for v in r[2:-1]])
        y.append(LABELS.index(label))
        clip.append(int(number))
    return features, np.array(files), np.array(X, dtype=np.float64), np.array(y), np.array(clip)


def split_indices(files, y, clip):
    out = {}
    for name, (lo, hi) in SPLITS.items():
        idx = np.where((clip >= lo) & (clip <= hi))[0]
        idx = idx[np.lexsort((clip[idx], y[idx]))]       # genre, then clip number
        out[name] = idx
    counts = {k: np.bincount(y[v], minlength=10).tolist() for k, v in out.items()}
    assert counts["train"] == [48] * 10, counts
    assert counts["validation"] == [16] * 10 and counts["test"] == [16] * 10, counts
    return out


# ---------------------------------------------------------------------------------- model

class Standardize(nn.Module):
    """(x - mean) / std with the train-set statistics as graph constants (Sub, Div)."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))

    def forward(self, x):
        return (x - self.mean) / self.std


class Net(nn.Module):
    """57 -> 128 -> 64 -> 10, ReLU, inverted dropout after each hidden layer when stochastic.

    The dropout mask is built explicitly, (rand_like(h) >= p) / (1 - p), so that an exported
    stochastic graph contains RandomUniformLike -> GreaterOrEqual -> Cast -> Mul rather than a
    Dropout node (which ONNX Runtime removes at inference even with training_mode=true).
    """

    def __init__(self, n_in, n_out, p, hidden=HIDDEN):
        super().__init__()
        self.fc1 = nn.Linear(n_in, hidden[0])
        self.fc2 = nn.Linear(hidden[0], hidden[1])
        self.fc3 = nn.Linear(hidden[1], n_out)
        self.p = p
        self.stochastic = False

    def _uniform(self, h):        # replaced in verification to inject known draws
        return torch.rand_like(h)

    def _drop(self, h):
        if not self.stochastic:
            return h
        keep = (self._uniform(h) >= self.p).float()
        return h * keep / (1.0 - self.p)

    def forward(self, z):
        h = self._drop(F.relu(self.fc1(z)))
        h = self._drop(F.relu(self.fc2(h)))
        return self.fc3(h)


class EnsembleGraph(nn.Module):
    """features [N,57] -> logits [N,members,10]; deterministic."""

    def __init__(self, standardize, nets):
        super().__init__()
        self.standardize = standardize
        self.nets = nn.ModuleList(nets)

    def forward(self, features):
        z = self.standardize(features)
        return torch.stack([n(z) for n in self.nets], dim=1)


class McDropoutGraph(nn.Module):
    """features [N,57] -> logits [N,1,10]; one stochastic pass per run."""

    def __init__(self, standardize, net):
        super().__init__()
        self.standardize = standardize
        self.net = net

    def forward(self, features):
        return self.net(self.standardize(features)).unsqueeze(1)


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train_member(seed, Ztr, ytr, Zva, yva, log):
    seed_everything(seed)
    net = Net(Ztr.shape[1], len(LABELS), P_DROP)
    opt = torch.optim.Adam(net.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    gen = torch.Generator().manual_seed(seed)
    n = Ztr.shape[0]
    for epoch in range(1, EPOCHS + 1):
        net.train()
        net.stochastic = True
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for i in range(0, n, BATCH):
            idx = perm[i:i + BATCH]
            loss = F.cross_entropy(net(Ztr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        if epoch % 20 == 0 or epoch == EPOCHS:
            net.eval()
            net.stochastic = False
            with torch.no_grad():
                va = net(Zva)
                vnll = F.cross_entropy(va, yva).item()
                vacc = (va.argmax(1) == yva).float().mean().item()
            log("  seed %d epoch %3d  train loss %.4f  val NLL %.4f  val acc %.4f"
                % (seed, epoch, total / n, vnll, vacc))
    net.eval()
    net.stochastic = False
    return net


# -------------------------------------------------------------------------------- metrics

def probs(L, T):
    """L: logits [N, M, C] (members or passes). Softmax(L/T) per member, averaged over M."""
    z = L / T
    z = z - z.max(axis=-1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=-1, keepdims=True)
    return p.mean(axis=1)


def nll(P, y):
    return float(-np.mean(np.log(np.clip(P[np.arange(len(y)), y], 1e-12, None))))


def metrics(P, y):
    """accuracy, NLL, ECE and reliability-diagram MAE with 15 equal-width bins.

    Bins are right-closed, (k/15, (k+1)/15], on the top-label confidence; ECE weighs
    |acc - conf| by the bin's share of samples, MAE is the plain mean over non-empty bins.
    """
    conf = P.max(axis=1)
    correct = (P.argmax(axis=1) == y).astype(np.float64)
    inner = np.linspace(0.0, 1.0, N_BINS + 1)[1:-1]
    b = np.searchsorted(inner, conf, side="left")
    ece, gaps = 0.0, []
    for k in range(N_BINS):
        m = b == k
        if m.any():
            gap = abs(correct[m].mean() - conf[m].mean())
            ece += m.mean() * gap
            gaps.append(gap)
    return {"accuracy": float(correct.mean()), "nll": nll(P, y),
            "ece": float(ece), "mae": float(np.mean(gaps))}


def fit_temperature(L, y):
    res = minimize_scalar(lambda u: nll(probs(L, np.exp(u)), y), bounds=LOG_T_BOUNDS,
                          method="bounded", options={"xatol": 1e-7})
    T = float(np.exp(res.x))
    if min(abs(res.x - LOG_T_BOUNDS[0]), abs(res.x - LOG_T_BOUNDS[1])) < 1e-3:
        print("WARNING: fitted log T at the search bound: %.4f" % res.x)
    return T


def logits_of(module, X):
    with torch.no_grad():
        return module(torch.tensor(X, dtype=torch.float32)).double().numpy()


def mc_logits(graph, X, passes, seed):
    """[N, passes, 10]: `passes` stochastic runs of the MC graph over the whole block."""
    torch.manual_seed(seed)
    xs = torch.tensor(X, dtype=torch.float32)
    with torch.no_grad():
        out = [graph(xs)[:, 0, :] for _ in range(passes)]
    return torch.stack(out, dim=1).double().numpy()


# --------------------------------------------------------------------------------- export

def export(module, path, n_in):
    module.eval()
    dummy = torch.zeros(2, n_in, dtype=torch.float32)
    torch.onnx.export(module, dummy, path, input_names=["features"], output_names=["logits"],
                      dynamic_axes={"features": {0: "N"}, "logits": {0: "N"}},
                      opset_version=OPSET, do_constant_folding=True, verbose=False)


def check_graph(path, members, stochastic, classes=len(LABELS)):
    import onnx
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    ops = [n.op_type for n in model.graph.node]
    assert model.graph.input[0].name == "features" and len(model.graph.input) == 1
    assert model.graph.output[0].name == "logits" and len(model.graph.output) == 1
    dims = [d.dim_param or d.dim_value for d in model.graph.output[0].type.tensor_type.shape.dim]
    assert dims == ["N", members, classes], dims
    assert ops[0] == "Sub" and ops[1] == "Div", ops[:2]
    assert "Dropout" not in ops, ops
    if stochastic:
        assert ops.count("RandomUniformLike") == 2, ops
    else:
        assert not any(o.startswith("Random") for o in ops), ops
    return model, ops


def verify_ensemble(model, graph, X):
    worst = 0.0
    for rows in (X[:1], X[:7], X[:32]):
        ref = logits_of(graph, rows)
        got = onnx_numpy.run(model, {"features": rows.astype(np.float32)})[0]
        assert got.shape == ref.shape, (got.shape, ref.shape)
        worst = max(worst, float(np.abs(got - ref).max()))
    assert worst < 1e-4, worst
    return worst


def verify_mc(model, graph, X):
    """Same uniform draws in the ONNX interpreter and in torch -> same logits."""
    rows = X[:16].astype(np.float32)
    rng = np.random.default_rng(7)
    draws = []

    def uniform(_name, shape, lo, hi):
        u = rng.uniform(lo, hi, size=shape).astype(np.float32)
        draws.append(u)
        return u

    got = onnx_numpy.run(model, {"features": rows}, uniform=uniform)[0]
    it = iter(draws)
    graph.net._uniform = lambda h: torch.from_numpy(next(it))
    try:
        ref = logits_of(graph, rows)
    finally:
        del graph.net._uniform
    assert len(draws) == 2
    worst = float(np.abs(got - ref).max())
    assert worst < 1e-4, worst
    # masks really are applied: all-kept and all-dropped draws give different logits
    keep = onnx_numpy.run(model, {"features": rows}, uniform=lambda n, s, lo, hi: np.full(s, 0.999))[0]
    drop = onnx_numpy.run(model, {"features": rows}, uniform=lambda n, s, lo, hi: np.zeros(s))[0]
    assert np.abs(keep - drop).max() > 1e-2
    assert np.allclose(drop, drop[:1]), "all-dropped pass should not depend on the input"
    # two torch passes differ
    torch.manual_seed(0)
    a = logits_of(graph, rows)
    b = logits_of(graph, rows)
    diff = float(np.abs(a - b).max())
    assert diff > 1e-3, diff
    return worst, diff


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# ----------------------------------------------------------------------------------- main

def r4(x):
    return round(float(x), 4)


def rmet(m):
    return {k: round(v, 6) for k, v in m.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", default=DEFAULT_CSV)
    ap.add_argument("--out", default="models")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    t0 = time.time()
    lines = []

    def log(s=""):
        print(s, flush=True)
        lines.append(s)

    features, files, X, y, clip = load_csv(args.csv)
    sp = split_indices(files, y, clip)
    Xtr, Xva, Xte = (X[sp[k]] for k in ("train", "validation", "test"))
    ytr, yva, yte = (y[sp[k]] for k in ("train", "validation", "test"))
    split_files = {k: files[v].tolist() for k, v in sp.items()}
    log("data: %s  train %d  validation %d  test %d" % (args.csv, len(ytr), len(yva), len(yte)))

    mean = Xtr.mean(axis=0)
    std = Xtr.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    standardize = Standardize(mean, std)
    with torch.no_grad():
        Ztr = standardize(torch.tensor(Xtr, dtype=torch.float32))
        Zva = standardize(torch.tensor(Xva, dtype=torch.float32))
    ytr_t, yva_t = torch.tensor(ytr), torch.tensor(yva)

    log("training %d members: %s, dropout %.1f, Adam lr %g, weight decay %g, batch %d, %d epochs"
        % (len(SEEDS), "57-%d-%d-10" % HIDDEN, P_DROP, LR, WEIGHT_DECAY, BATCH, EPOCHS))
    nets = [train_member(s, Ztr, ytr_t, Zva, yva_t, log) for s in SEEDS]

    ens = EnsembleGraph(standardize, nets).eval()
    mc_net = Net(X.shape[1], len(LABELS), P_DROP)
    mc_net.load_state_dict(nets[SEEDS.index(MC_SEED)].state_dict())
    mc_net.eval()
    mc_net.stochastic = True
    mcg = McDropoutGraph(standardize, mc_net).eval()

    # ---- logits per method and split: [N, M, 10]
    Lva_ens, Lte_ens = logits_of(ens, Xva), logits_of(ens, Xte)
    Lva_mc = mc_logits(mcg, Xva, MC_PASSES, MC_SEED_VALIDATION)
    Lte_mc = mc_logits(mcg, Xte, MC_PASSES, MC_SEED_TEST)
    methods = {"member%d" % s: (Lva_ens[:, i:i + 1], Lte_ens[:, i:i + 1]) for i, s in enumerate(SEEDS)}
    methods["ensemble"] = (Lva_ens, Lte_ens)
    methods["mc-dropout"] = (Lva_mc, Lte_mc)

    results = {}
    for name, (Lva, Lte) in methods.items():
        T_val = fit_temperature(Lva, yva)
        T_test = fit_temperature(Lte, yte)
        sweep = {}
        for split, L, yy in (("validation", Lva, yva), ("test", Lte, yte)):
            sweep[split] = [dict(T=float(T), **metrics(probs(L, T), yy)) for T in T_GRID]
        results[name] = {
            "T1": {"validation": metrics(probs(Lva, 1.0), yva), "test": metrics(probs(Lte, 1.0), yte)},
            "calibrated": {"validation": metrics(probs(Lva, T_val), yva),
                           "test": metrics(probs(Lte, T_val), yte)},
            "validationOptimalT": T_val, "testOptimalT": T_test,
            "sweep": sweep,
        }

    # member mean: metrics averaged over the five members (each calibrated with its own T)
    mem = [results["member%d" % s] for s in SEEDS]
    keys = ("accuracy", "nll", "ece", "mae")
    avg = lambda ms: {k: float(np.mean([m[k] for m in ms])) for k in keys}  # noqa: E731
    results["member-mean"] = {
        "T1": {sp_: avg([m["T1"][sp_] for m in mem]) for sp_ in ("validation", "test")},
        "calibrated": {sp_: avg([m["calibrated"][sp_] for m in mem]) for sp_ in ("validation", "test")},
        "validationOptimalT": float(np.mean([m["validationOptimalT"] for m in mem])),
        "testOptimalT": float(np.mean([m["testOptimalT"] for m in mem])),
        "sweep": {sp_: [dict(T=float(T), **avg([m["sweep"][sp_][j] for m in mem]))
                        for j, T in enumerate(T_GRID)] for sp_ in ("validation", "test")},
    }

    # ---- report
    order = ["member-mean", "ensemble", "mc-dropout"]
    label = {"member-mean": "single member (mean of 5)", "ensemble": "deep ensemble (5)",
             "mc-dropout": "MC dropout (%d passes)" % MC_PASSES}
    log()
    log("## Test block (160 clips): T = 1 vs T fitted on validation")
    log()
    log("| method | T | accuracy | NLL | ECE | MAE |")
    log("|---|---|---|---|---|---|")
    for name in order:
        r = results[name]
        tv = "%.4f" % r["validationOptimalT"] if name != "member-mean" else "per member (mean %.4f)" % r["validationOptimalT"]
        for tag, tt in (("T1", "1"), ("calibrated", tv)):
            m = r[tag]["test"]
            log("| %s | %s | %.4f | %.4f | %.4f | %.4f |" % (label[name], tt, m["accuracy"], m["nll"], m["ece"], m["mae"]))
    log()
    log("## Validation block (160 clips; the block T is fitted on, so calibrated figures are optimistic)")
    log()
    log("| method | accuracy | NLL T=1 | NLL cal | ECE T=1 | ECE cal | MAE T=1 | MAE cal |")
    log("|---|---|---|---|---|---|---|---|")
    for name in order:
        a, c = results[name]["T1"]["validation"], results[name]["calibrated"]["validation"]
        log("| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f |" % (label[name], a["accuracy"], a["nll"],
                                                                     c["nll"], a["ece"], c["ece"], a["mae"], c["mae"]))
    log()
    log("## Single members on the test block")
    log()
    log("| member | T fitted on validation | T optimal on test | acc | NLL T=1 | NLL cal | ECE T=1 | ECE cal | MAE T=1 | MAE cal |")
    log("|---|---|---|---|---|---|---|---|---|---|")
    for s in SEEDS:
        r = results["member%d" % s]
        a, c = r["T1"]["test"], r["calibrated"]["test"]
        log("| seed %d | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f |"
            % (s, r["validationOptimalT"], r["testOptimalT"], a["accuracy"], a["nll"], c["nll"],
               a["ece"], c["ece"], a["mae"], c["mae"]))
    log()
    log("## Optimal temperature: validation vs test")
    log()
    log("NLL-optimal T is the continuous minimiser of NLL over log T in [-3, 3]; ECE-optimal T is the")
    log("best point of the %d-point log grid %.2f..%.2f." % (len(T_GRID), T_GRID[0], T_GRID[-1]))
    log()
    log("| method | NLL-opt T (validation) | NLL-opt T (test) | ECE-opt T (validation) | ECE-opt T (test) |")
    log("|---|---|---|---|---|")
    for name in order + ["member%d" % s for s in SEEDS]:
        r = results[name]
        eo = {}
        for split in ("validation", "test"):
            sw = r["sweep"][split]
            eo[split] = sw[int(np.argmin([p["ece"] for p in sw]))]["T"]
        r["eceOptimalT"] = eo
        log("| %s | %.4f | %.4f | %.4f | %.4f |" % (label.get(name, name), r["validationOptimalT"],
                                                   r["testOptimalT"], eo["validation"], eo["test"]))

    # ---- export, check, verify
    out = args.out
    pk_ens, pk_mc, study = (os.path.join(out, d) for d in ("gtzan-mlp", "gtzan-mlp-mcd", "study"))
    for d in (pk_ens, pk_mc, study):
        os.makedirs(d, exist_ok=True)
    f_ens, f_mc = os.path.join(pk_ens, "model.onnx"), os.path.join(pk_mc, "model.onnx")
    export(ens, f_ens, X.shape[1])
    export(mcg, f_mc, X.shape[1])
    m_ens, ops_ens = check_graph(f_ens, len(SEEDS), stochastic=False)
    m_mc, ops_mc = check_graph(f_mc, 1, stochastic=True)
    d_ens = verify_ensemble(m_ens, ens, Xte)
    d_mc, d_pass = verify_mc(m_mc, mcg, Xte)
    log()
    log("## Export checks")
    log()
    log("- gtzan-mlp/model.onnx: onnx.checker OK, opset %d, ops %s; max |onnx - torch| = %.2e"
        % (OPSET, sorted(set(ops_ens)), d_ens))
    log("- gtzan-mlp-mcd/model.onnx: onnx.checker OK, ops %s (RandomUniformLike x%d, no Dropout);"
        " max |onnx - torch| with shared draws = %.2e; two torch passes differ by up to %.3f"
        % (sorted(set(ops_mc)), ops_mc.count("RandomUniformLike"), d_mc, d_pass))

    # ---- packages
    def package(dirpath, pid, name, members, passes, method, seeds, onnx_path):
        r = results[method]
        test_metrics = {"T1": rmet(r["T1"]["test"]), "calibrated": rmet(r["calibrated"]["test"])}
        doc = {
            "formatVersion": 1,
            "id": pid,
            "version": "1.0.0",
            "task": "genre",
            "name": name,
            "labels": LABELS,
            "sampleRate": 22050,
            "frontEnd": {"type": "librosa-descriptors", "features": features},
            "windowing": {"windowSeconds": 30.0, "maxWindows": 3, "placement": "spread",
                          "combine": "mean-probability"},
            "input": {"name": "features", "shape": [-1, len(features)]},
            "output": {"name": "logits", "shape": [-1, members, len(LABELS)]},
            "members": members,
            "mcDropout": {"passes": passes},
            "files": {"model.onnx": sha256(onnx_path)},
            "defaultTemperature": r4(r["validationOptimalT"]),
            "provenance": {
                "data": DATA_TEXT,
                "split": SPLIT_TEXT,
                "seeds": seeds,
                "trainedBy": "models/train/train_gtzan.py",
                "trainFiles": split_files["train"],
                "validationFiles": split_files["validation"],
                "testFiles": split_files["test"],
                "metrics": {"test": test_metrics,
                            "validationOptimalT": r4(r["validationOptimalT"]),
                            "testOptimalT": r4(r["testOptimalT"])},
            },
        }
        with open(os.path.join(dirpath, "model.json"), "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        return doc

    j_ens = package(pk_ens, "gtzan-mlp", "GTZAN descriptor MLP ensemble (5 members)",
                    len(SEEDS), 0, "ensemble", SEEDS, f_ens)
    j_mc = package(pk_mc, "gtzan-mlp-mcd", "GTZAN descriptor MLP with MC dropout (%d passes)" % MC_PASSES,
                   1, MC_PASSES, "mc-dropout", [MC_SEED], f_mc)

    # ---- study files
    with open(os.path.join(study, "sweep.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["method", "split", "T", "ece", "mae", "nll", "accuracy"])
        for name in order + ["member%d" % s for s in SEEDS]:
            for split in ("validation", "test"):
                for p in results[name]["sweep"][split]:
                    w.writerow([name, split, "%.6f" % p["T"], "%.6f" % p["ece"], "%.6f" % p["mae"],
                                "%.6f" % p["nll"], "%.6f" % p["accuracy"]])
    summary = {
        "config": {"hidden": list(HIDDEN), "dropout": P_DROP, "seeds": SEEDS, "epochs": EPOCHS,
                   "batch": BATCH, "lr": LR, "weightDecay": WEIGHT_DECAY, "mcPasses": MC_PASSES,
                   "mcSeedValidation": MC_SEED_VALIDATION, "mcSeedTest": MC_SEED_TEST,
                   "bins": N_BINS, "opset": OPSET, "torch": torch.__version__, "numpy": np.__version__},
        "results": {k: {kk: vv for kk, vv in v.items() if kk != "sweep"} for k, v in results.items()},
        "sha256": {"gtzan-mlp/model.onnx": j_ens["files"]["model.onnx"],
                   "gtzan-mlp-mcd/model.onnx": j_mc["files"]["model.onnx"]},
    }
    with open(os.path.join(study, "metrics.json"), "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
        f.write("\n")
    log()
    log("sha256 gtzan-mlp/model.onnx     %s (%d bytes)" % (j_ens["files"]["model.onnx"], os.path.getsize(f_ens)))
    log("sha256 gtzan-mlp-mcd/model.onnx %s (%d bytes)" % (j_mc["files"]["model.onnx"], os.path.getsize(f_mc)))
    print("done in %.1f s" % (time.time() - t0))
    with open(os.path.join(study, "train_log.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
