"""The networks of bench/cpu_compare.py for Brian2's C++ standalone device.

Each network is the one of its .gdsl file: the same neurons, connectivity rules, weights,
delays, stimuli and recordings, the same integration method (exact where gennc uses exact
propagators, RK4 for IF_cond_exp, which gennc integrates by RK4), double precision as gennc.
Connectivity is drawn by Brian2 (or numpy), so it is a different sample of the same rules.

    python cpu_compare_brian2.py NETWORK --threads N --build DIR [--source FILE.gdsl]

generates and compiles the program into DIR (`DIR/main`, run with DIR as working folder) and
exits; with 1 thread no OpenMP, otherwise Brian2's OpenMP with N threads. A finished DIR
(its stamp file names the same request) is left as it is, so repeats do not compile again.
"""
import argparse
import json
import pathlib
import re
import sys

NETWORKS = ("cuba", "coba", "brunel", "microcircuit")


def vogels_abbott(b, conductance):
    """examples/vogels_abbott_{cuba,coba}.gdsl."""
    ms, mV, nS, nA, uS, Hz = b.ms, b.mV, b.nS, b.nA, b.uS, b.Hz
    if conductance:
        eqs = """dv/dt = (v_rest - v) / tau_m + (ge * (e_rev_E - v) + gi * (e_rev_I - v)) / c_m : volt (unless refractory)
                 dge/dt = -ge / tau_syn_E : siemens
                 dgi/dt = -gi / tau_syn_I : siemens"""
        method, v_rest, w_exc, w_inh = "rk4", -60 * mV, 4 * nS, 51 * nS
    else:
        eqs = """dv/dt = (v_rest - v) / tau_m + (ie + ii) / c_m : volt (unless refractory)
                 die/dt = -ie / tau_syn_E : amp
                 dii/dt = -ii / tau_syn_I : amp"""
        method, v_rest, w_exc, w_inh = "exact", -49 * mV, 0.27 * nS * 60 * mV, 4.5 * nS * -20 * mV
    namespace = dict(c_m=0.2 * b.nF, tau_m=20 * ms, v_rest=v_rest, tau_syn_E=5 * ms, tau_syn_I=10 * ms,
                     e_rev_E=0 * mV, e_rev_I=-80 * mV)
    exc_target, inh_target = ("ge", "gi") if conductance else ("ie", "ii")
    cells = b.NeuronGroup(4000, eqs, threshold="v >= -50*mV", reset="v = -60*mV", refractory=5 * ms,
                          method=method, namespace=namespace)
    cells.v = "-60*mV + rand() * 10*mV"
    exc, inh = cells[:3200], cells[3200:]
    objects = [cells]
    for pre, target, weight in ((exc, exc_target, w_exc), (inh, inh_target, w_inh)):
        syn = b.Synapses(pre, cells, on_pre=f"{target}_post += w_syn", namespace={"w_syn": weight}, delay=0.2 * ms)
        syn.connect(p=0.02)
        objects.append(syn)
    if conductance:
        stim = b.PoissonGroup(20, rates="100*Hz * int(t < 50*ms)")
        kick = b.Synapses(stim, cells, on_pre="ge_post += 0.1*uS", delay=0.2 * ms)
        kick.connect(p=0.01)
    else:
        stim = b.PoissonGroup(50, rates="300*Hz * int(t >= 1*ms and t < 51*ms)")
        kick = b.Synapses(stim, exc, on_pre="ie_post += w_syn", namespace={"w_syn": w_exc}, delay=0.2 * ms)
        kick.connect(j="i")
    objects += [stim, kick]
    objects += [b.SpikeMonitor(exc), b.SpikeMonitor(inh)]
    objects.append(b.StateMonitor(cells, "v", record=list(range(10)) + list(range(3200, 3210)), dt=1 * ms))
    if conductance:
        objects.append(b.StateMonitor(cells, ["ge", "gi"], record=range(10), dt=1 * ms))
    return objects


def brunel(b, source):
    """examples/brunel2000_ai.gdsl (or the smaller variant of it given as source)."""
    text = source.read_text()
    n_e = int(re.search(r"let N_E = (\d+)", text).group(1))
    n_i = int(re.search(r"let N_I = (\d+)", text).group(1))
    c_e, c_i = n_e // 10, n_i // 10
    ms, mV = b.ms, b.mV
    tau, theta, j, g, delay = 20 * ms, 20 * mV, 0.1 * mV, 5, 1.5 * ms
    nu_ext = 2 * theta / (j * c_e * tau)
    cells = b.NeuronGroup(n_e + n_i, "dv/dt = -v / tau : volt (unless refractory)", threshold="v >= theta",
                          reset="v = 10*mV", refractory=2 * ms, method="exact",
                          namespace={"tau": tau, "theta": theta})
    exc, inh = cells[:n_e], cells[n_e:]
    objects = [cells]
    # Fixed in-degree with repetition: every neuron draws its presynaptic partners.
    rng = b.np.random.default_rng(2000)
    total = n_e + n_i
    for pre_offset, pre_size, indegree, weight in ((0, n_e, c_e, j), (n_e, n_i, c_i, -g * j)):
        syn = b.Synapses(cells, cells, "w_syn : volt (constant, shared)",
                         on_pre="v_post += w_syn * int(not_refractory_post)", delay=delay)
        syn.connect(i=pre_offset + rng.integers(0, pre_size, total * indegree),
                    j=b.np.repeat(b.np.arange(total), indegree))
        syn.w_syn = weight
        objects.append(syn)
    # Each neuron's external train has C_E * nu_ext = 20 kHz, 2 spikes per step on average:
    # PoissonGroup fires at most once per step, PoissonInput draws the count (binomial over
    # C_E inputs), as gennc's sources and NEST's generators give spikes with multiplicity.
    ext = b.PoissonInput(cells, "v", c_e, nu_ext, weight="0.1*mV * int(not_refractory)")
    objects += [ext, b.SpikeMonitor(exc), b.SpikeMonitor(inh),
                b.StateMonitor(cells, "v", record=list(range(10)) + list(range(n_e, n_e + 10)), dt=0.1 * ms)]
    return objects


PROJECTION = re.compile(r"projection \w+ = (\w+) -> (\w+) via fixed_total_number\(n = (\d+) \* n_scale \* k_scale\)"
                        r"\s*synapse StaticSynapse\(weight = normal\(([^,]+),[^)]*\),\s*"
                        r"delay = normal_clipped\((d_exc|d_inh)")


def microcircuit(b, source):
    """examples/potjans_diesmann_scaled.gdsl: its projections are read from the file."""
    text = source.read_text()
    names = ["L23e", "L23i", "L4e", "L4i", "L5e", "L5i", "L6e", "L6i"]
    full = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948]
    k_ext = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100]
    mu_rec = [-519.51, -362.51, -572.38, -499.17, -519.05, -445.51, -954.45, -512.79]  # pA
    v0 = [(-68.28, 5.36), (-63.16, 4.57), (-63.33, 4.74), (-63.45, 4.94), (-63.11, 4.94), (-61.66, 4.55),
          (-66.72, 5.46), (-61.43, 4.48)]
    scale, w_full, tau_syn = 0.1, 87.81, 0.5
    sizes = [int(round(n * scale)) for n in full]
    offsets = b.np.concatenate([[0], b.np.cumsum(sizes)])
    ms, mV, pA = b.ms, b.mV, b.pA
    i_offset = b.np.concatenate([
        b.np.full(n, (1 - scale ** 0.5) * (mu + k * 8e-3 * w_full * tau_syn)) for n, mu, k in zip(sizes, mu_rec, k_ext)])
    eqs = """dv/dt = (-65*mV - v) / (10*ms) + (ie + ii + i_offset) / (250*pF) : volt (unless refractory)
             die/dt = -ie / (0.5*ms) : amp
             dii/dt = -ii / (0.5*ms) : amp
             i_offset : amp (constant)"""
    cells = b.NeuronGroup(int(offsets[-1]), eqs, threshold="v >= -50*mV", reset="v = -65*mV",
                          refractory=2 * ms, method="exact")
    cells.i_offset = i_offset * pA
    rng = b.np.random.default_rng(55)
    cells.v = b.np.concatenate([rng.normal(m, s, n) for n, (m, s) in zip(sizes, v0)]) * mV
    w_exc = w_full / scale ** 0.5
    index = {name: k for k, name in enumerate(names)}
    pre_all, post_all, w_all, d_all = [], [], [], []
    for pre, post, n, weight, delay in PROJECTION.findall(text):
        count = int(round(int(n) * scale * scale))
        p, q = index[pre], index[post]
        mean = {"w_exc": w_exc, "2 * w_exc": 2 * w_exc, "w_inh": -4 * w_exc}[weight.strip()]
        d_mean = 1.5 if delay == "d_exc" else 0.75
        pre_all.append(offsets[p] + rng.integers(0, sizes[p], count))
        post_all.append(offsets[q] + rng.integers(0, sizes[q], count))
        w_all.append(rng.normal(mean, 0.1 * abs(mean), count))
        d_all.append(b.np.clip(rng.normal(d_mean, 0.5 * d_mean, count), 0.1, 6 * d_mean))
    if not pre_all:
        sys.exit(f"no fixed_total_number projections found in {source}")
    syn = b.Synapses(cells, cells, "w : amp (constant)",
                     on_pre="ie_post += w * int(w > 0*amp)\nii_post += w * int(w < 0*amp)")
    syn.connect(i=b.np.concatenate(pre_all), j=b.np.concatenate(post_all))
    syn.w = b.np.concatenate(w_all) * pA
    syn.delay = b.np.round(b.np.concatenate(d_all) / 0.1) * 0.1 * ms
    drive = b.PoissonGroup(int(offsets[-1]), rates=b.np.repeat([k * scale * 8.0 for k in k_ext], sizes) * b.Hz)
    ext = b.Synapses(drive, cells, on_pre=f"ie_post += {w_exc}*pA", delay=1.5 * ms)
    ext.connect(j="i")
    record = b.np.concatenate([b.np.arange(o, o + 5) for o in offsets[:-1]])
    return [cells, syn, drive, ext, b.SpikeMonitor(cells), b.StateMonitor(cells, "v", record=record, dt=1 * ms)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("network", choices=NETWORKS)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--build", required=True)
    parser.add_argument("--source", help=".gdsl file of the network (brunel, microcircuit)")
    args = parser.parse_args()
    build = pathlib.Path(args.build)
    request = json.dumps({"network": args.network, "threads": args.threads, "source": args.source,
                          "script": pathlib.Path(__file__).read_text()})
    stamp = build / "cpu_compare.stamp"
    if (build / "main").exists() and stamp.exists() and stamp.read_text() == request:
        return
    import brian2 as b
    b.set_device("cpp_standalone", directory=str(build), build_on_run=False)
    if args.threads > 1:
        b.prefs.devices.cpp_standalone.openmp_threads = args.threads
    b.defaultclock.dt = 0.1 * b.ms
    b.seed(98765)
    if args.network in ("cuba", "coba"):
        objects = vogels_abbott(b, args.network == "coba")
    elif args.network == "brunel":
        objects = brunel(b, pathlib.Path(args.source))
    else:
        objects = microcircuit(b, pathlib.Path(args.source))
    net = b.Network(objects)
    net.run(1000 * b.ms)
    b.device.build(directory=str(build), compile=True, run=False)
    stamp.write_text(request)


if __name__ == "__main__":
    main()
