#!/usr/bin/env python3
"""Baselines for the FMA-small descriptors: is the MLP or the features the limit? Prints validation and test
accuracy of logistic regression, an RBF SVM and gradient-boosted trees on train_fma.py's split (BENCHMARKS.md)."""
import sys, numpy as np
import os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_fma as tf
feats, files, X, y, ids = tf.load_csv(tf.DEFAULT_CSV)
sp = tf.split_indices(y, ids)
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
def tr(Xt):
    sc = StandardScaler().fit(Xt[sp['train']]); return sc.transform(Xt)
# variance features -> log
Xl = X.copy()
for i,n in enumerate(feats):
    if 'var' in n: Xl[:,i] = np.log(np.maximum(X[:,i], 1e-12))
for name, Xt in [('raw', X), ('logvar', Xl)]:
    Z = tr(Xt)
    for mname, m in [('logreg', LogisticRegression(max_iter=2000, C=1.0)), ('svc', SVC(C=3, gamma='scale')), ('hgb', HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05))]:
        m.fit(Z[sp['train']], y[sp['train']])
        va = (m.predict(Z[sp['validation']]) == y[sp['validation']]).mean()
        te = (m.predict(Z[sp['test']]) == y[sp['test']]).mean()
        print(name, mname, 'val %.3f test %.3f' % (va, te), flush=True)
