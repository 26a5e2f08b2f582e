"""benches/compare.py's `kshapes` part: k-means inertia per k, seglab against scikit-learn and
scikit-learn-intelex at equal n_init, on differently shaped data (issue 11).

k-means is a heuristic, so this is a benchmark target rather than a test: on each shape, for
k = 2..10 and each n_init, it prints seglab's inertia from its single fits (KMeansParams::fit, what
scikit-learn's KMeans.fit does) and from its whole sweep() (the fits plus the refit of a k whose
inertia rose above k-1's: what users get), scikit-learn's KMeans(n_clusters=k, n_init=N,
random_state=0) (lloyd, k-means++) and the same through scikit-learn-intelex, the ratios to
scikit-learn (< 1: seglab lower, i.e. better), and each side's seconds for the whole k = 2..10
(best of the repeats; seglab's sweep() also computes its metrics). Every side is a child process
reading the same raw f64 file: benches/kernels.rs for seglab, benches/peer_kernels.py for the peers.
"""
import json
import subprocess

# Relative slack below which two inertias count as equal (summation order differs).
EQUAL = 1e-9


def ensure_data(data, venv_py, peer_py, log, seed=0):
    """benches/peer_shapes.py's look-alike tables, written once: [(name, matrix, rows, cols)]."""
    d = data / f"kshapes-s{seed}"
    if not (d / "shapes.json").exists():
        log(f"writing the k-means look-alike tables into {d}")
        subprocess.run([str(venv_py), str(peer_py), "shapes", str(d), "--seed", str(seed)],
                       check=True, stdout=subprocess.DEVNULL)
    return [(name, d / f"{name}.f64", r, c) for name, (r, c) in json.loads((d / "shapes.json").read_text()).items()]


def bench(exe, venv_py, peer_py, shapes, repeat, kernel, log):
    """shapes: [(name, matrix, rows, cols, n_inits)]. Returns [(name, rows, cols, n_init, sides)],
    sides = {side: kernels.rs / peer_kernels.py JSON}."""
    out = []
    for name, matrix, rows, cols, n_inits in shapes:
        for n_init in n_inits:
            args = [str(matrix), str(cols), "--k-min", "2", "--k-max", "10", "--n-init", str(n_init),
                    "--repeat", str(repeat)]
            peer = [str(venv_py), str(peer_py), "kmeans", *args]
            cmds = {"fit": [exe, "kmeans", *args, "--seed", "0"], "sweep": [exe, "sweep", *args, "--seed", "0"],
                    "sklearn": peer, "intelex": [*peer, "--intelex"]}
            sides = {}
            for side, cmd in cmds.items():
                sides[side] = kernel(cmd, f"kshapes-{name}-{n_init}-{side}")
            log(f"  {name} n_init={n_init}: " + ", ".join(f"{s} {r['seconds']:.3f} s" for s, r in sides.items()))
            out.append((name, rows, cols, n_init, sides))
    return out


def ratio(a, b):
    return a / b if b > 0 else float("nan")


def report(results, log):
    """One table per shape and n_init, then one summary line per row of results."""
    summary = []
    for name, rows, cols, n_init, s in results:
        sk = s["sklearn"]["inertia"]
        head = (f"{name} {rows:,}x{cols} n_init={n_init}", "seglab fit", "seglab sweep", "sklearn", "intelex",
                "fit/sk", "sweep/sk", "intelex/sk")
        log("")
        log(f"{head[0]:34s}" + "".join(f"{h:>13s}" for h in head[1:5]) + "".join(f"{h:>11s}" for h in head[5:]))
        for i, k in enumerate(s["sklearn"]["k"]):
            vals = [s[side]["inertia"][i] for side in ("fit", "sweep", "sklearn", "intelex")]
            rs = [ratio(v, sk[i]) for v in (vals[0], vals[1], vals[3])]
            log(f"{'  k=' + str(k):34s}" + "".join(f"{v:13.6g}" for v in vals) + "".join(f"{r:11.4f}" for r in rs))
        secs = [s[side]["seconds"] for side in ("fit", "sweep", "sklearn", "intelex")]
        log(f"{'  seconds, whole k=2..10':34s}" + "".join(f"{t:13.3f}" for t in secs)
            + f"   sklearn/fit {ratio(secs[2], secs[0]):.2f}x, intelex/fit {ratio(secs[3], secs[0]):.2f}x")
        worse = {side: [k for k, a, b in zip(s[side]["k"], s[side]["inertia"], sk) if a > b * (1 + EQUAL)]
                 for side in ("fit", "sweep")}
        worst = max(ratio(a, b) for a, b in zip(s["sweep"]["inertia"], sk))
        summary.append(f"  {name:10s} n_init={n_init:<3d} sweep above sklearn at k={worse['sweep'] or 'none'} "
                       f"(worst {worst:.4f}); single fits above at k={worse['fit'] or 'none'}; "
                       f"time fit/sweep/sklearn/intelex {' / '.join(f'{t:.3f}' for t in secs)} s")
    log("\nk-means per shape (ratio < 1: seglab's inertia lower than scikit-learn's; equal within "
        f"{EQUAL:g} relative counts as not above):")
    for line in summary:
        log(line)
