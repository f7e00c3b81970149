"""Brunel's network and the 10%-scale microcircuit of bench/cpu_compare.py on NEST directly.

The networks of examples/brunel2000_ai.gdsl (or the smaller variant given as source) and
examples/potjans_diesmann_scaled.gdsl (projections read from the file, as
cpu_compare_brian2.py does), with the same recordings (spikes of every population, v of a
few neurons). The Vogels-Abbott networks run through pynn/va_benchmark_pynn.py instead.

    python cpu_compare_nest.py NETWORK --source FILE.gdsl --threads N

prints one JSON line: seconds to import NEST, build the network, simulate and fetch the
recordings; the resident memory that Connect added per synapse; the synapse count.
"""
import argparse
import json
import pathlib
import re
import time

start = time.perf_counter()

from cpu_compare_brian2 import PROJECTION  # noqa: E402


def resident_bytes():
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def brunel(nest, source):
    text = source.read_text()
    n_e = int(re.search(r"let N_E = (\d+)", text).group(1))
    n_i = int(re.search(r"let N_I = (\d+)", text).group(1))
    c_e, c_i = n_e // 10, n_i // 10
    params = {"C_m": 1.0, "tau_m": 20.0, "t_ref": 2.0, "E_L": 0.0, "V_th": 20.0, "V_reset": 10.0, "V_m": 0.0}
    exc = nest.Create("iaf_psc_delta", n_e, params=params)
    inh = nest.Create("iaf_psc_delta", n_i, params=params)
    nu_ext = 2 * 20.0 / (0.1 * c_e * 20.0) * 1000.0  # Hz
    before = resident_bytes()
    noise = nest.Create("poisson_generator", params={"rate": c_e * nu_ext})
    nest.Connect(noise, exc + inh, syn_spec={"weight": 0.1, "delay": 1.5})
    nest.Connect(exc, exc + inh, {"rule": "fixed_indegree", "indegree": c_e}, {"weight": 0.1, "delay": 1.5})
    nest.Connect(inh, exc + inh, {"rule": "fixed_indegree", "indegree": c_i}, {"weight": -0.5, "delay": 1.5})
    grown = resident_bytes() - before
    recorders = [nest.Create("spike_recorder") for _ in range(2)]
    nest.Connect(exc, recorders[0])
    nest.Connect(inh, recorders[1])
    meter = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": 0.1})
    nest.Connect(meter, exc[:10] + inh[:10])
    return grown, recorders + [meter]


def microcircuit(nest, source):
    text = source.read_text()
    names = ["L23e", "L23i", "L4e", "L4i", "L5e", "L5i", "L6e", "L6i"]
    full = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948]
    k_ext = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100]
    mu_rec = [-519.51, -362.51, -572.38, -499.17, -519.05, -445.51, -954.45, -512.79]
    v0 = [(-68.28, 5.36), (-63.16, 4.57), (-63.33, 4.74), (-63.45, 4.94), (-63.11, 4.94), (-61.66, 4.55),
          (-66.72, 5.46), (-61.43, 4.48)]
    scale, w_full = 0.1, 87.81
    w_exc = w_full / scale ** 0.5
    pops = {}
    for name, n, k, mu, (vm, vs) in zip(names, full, k_ext, mu_rec, v0):
        i_e = (1 - scale ** 0.5) * (mu + k * 8e-3 * w_full * 0.5)
        pops[name] = nest.Create("iaf_psc_exp", int(round(n * scale)), params={
            "C_m": 250.0, "tau_m": 10.0, "t_ref": 2.0, "tau_syn_ex": 0.5, "tau_syn_in": 0.5, "E_L": -65.0,
            "V_reset": -65.0, "V_th": -50.0, "I_e": i_e,
            "V_m": nest.random.normal(mean=vm, std=vs)})
    before = resident_bytes()
    for name, k in zip(names, k_ext):
        drive = nest.Create("poisson_generator", params={"rate": k * scale * 8.0})
        nest.Connect(drive, pops[name], syn_spec={"weight": w_exc, "delay": 1.5})
    for pre, post, n, weight, delay in PROJECTION.findall(text):
        mean = {"w_exc": w_exc, "2 * w_exc": 2 * w_exc, "w_inh": -4 * w_exc}[weight.strip()]
        d_mean = 1.5 if delay == "d_exc" else 0.75
        nest.Connect(pops[pre], pops[post], {"rule": "fixed_total_number", "N": int(round(int(n) * scale * scale))},
                     {"weight": nest.random.normal(mean=mean, std=0.1 * abs(mean)),
                      "delay": nest.math.redraw(nest.random.normal(mean=d_mean, std=0.5 * d_mean),
                                                min=0.1, max=6 * d_mean)})
    grown = resident_bytes() - before
    recorders = []
    for name in names:
        recorders.append(nest.Create("spike_recorder"))
        nest.Connect(pops[name], recorders[-1])
    meter = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": 1.0})
    for name in names:
        nest.Connect(meter, pops[name][:5])
    return grown, recorders + [meter]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("network", choices=["brunel", "microcircuit"])
    parser.add_argument("--source", required=True)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    import nest
    nest.set_verbosity("M_ERROR")
    timings = {"import": time.perf_counter() - start}
    t0 = time.perf_counter()
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": 0.1, "rng_seed": 55, "local_num_threads": args.threads})
    build = brunel if args.network == "brunel" else microcircuit
    grown, recorders = build(nest, pathlib.Path(args.source))
    synapses = nest.GetKernelStatus("num_connections") - sum(len(nest.GetConnections(target=r)) for r in recorders)
    timings["build"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    nest.Simulate(1000.0)
    timings["simulate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    spikes = sum(len(r.get("events")["times"]) for r in recorders[:-1])
    recorders[-1].get("events")
    timings["write"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - start
    print(json.dumps({"timings": timings, "spikes": spikes, "synapses": synapses,
                      "bytes_per_synapse": grown / max(synapses, 1)}))


if __name__ == "__main__":
    main()
