#!/usr/bin/env python3
"""Write data.json, the facts of the multi-area model, from its reference implementation.

Schmidt M, Bakker R, Hilgetag CC, Diesmann M, van Albada SJ (2018). Multi-scale account of
the network structure of macaque visual cortex. Brain Struct Funct 223:1409-1435; and
Schmidt M, Bakker R, Shen K, Bezgin G, Diesmann M, van Albada SJ (2018). A multi-scale
layer-resolved spiking network model of resting-state dynamics in macaque visual cortical
areas. PLoS Comput Biol 14(10):e1006359.

This script is ours; it imports the reference implementation (INM-6/multi-area-model) from
an extracted copy and runs its model construction, nothing else. It does not run in this
repository's environment: it needs that copy and a scratch virtual environment with
numpy<2 (the implementation calls np.in1d), scipy, pandas, nested_dict, dicthash, future and
matplotlib. NEST is not needed: a stub module named `nest` stands in for the import (the
construction never calls it). Steps, as bench/multi_area/README.md gives them:

    git --git-dir=<mirror of INM-6/multi-area-model> archive HEAD | tar -x -C SRC
    python3 -m venv VENV && VENV/bin/pip install "numpy<2" scipy pandas nested_dict \\
        dicthash future matplotlib
    VENV/bin/python extract_data.py --src SRC --commit <hash> -o data.json

(`git archive` stops at four figure files missing from the mirror; extracting the other
files one by one with `git show` works as well, the construction needs none of them.)
"""

import argparse
import json
import math
import os
import sys
import tempfile


def sig(x, digits=6):
    """x rounded to `digits` significant digits (a float, or an int when whole)."""
    if x == 0:
        return 0
    r = round(x, digits - 1 - int(math.floor(math.log10(abs(x)))))
    return int(r) if r == int(r) and abs(r) < 2**53 else r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", required=True, help="extracted INM-6/multi-area-model tree")
    ap.add_argument("--commit", default="355d94042f4fe613e5602918082f5e667695932e", help="the commit SRC was extracted from")
    ap.add_argument("-o", "--output", default="data.json")
    args = ap.parse_args()
    src = os.path.abspath(args.src)
    output = os.path.abspath(args.output)

    # The implementation reads `config.py` (base_path, data_path) from its own folder, and
    # imports nest in default_params.py, simulation.py and theory.py.
    cfg = os.path.join(src, "config.py")
    if not os.path.exists(cfg):
        with open(cfg, "w") as f:
            f.write("base_path = %r\ndata_path = %r\njobscript_template = ''\n"
                    "submit_cmd = None\n" % (src, tempfile.mkdtemp(prefix="mam-data-")))
    stub = tempfile.mkdtemp(prefix="mam-nest-stub-")
    with open(os.path.join(stub, "nest.py"), "w") as f:
        f.write("# stand-in: the model construction imports nest but never calls it\n")
    sys.path[:0] = [src, stub]
    os.chdir(src)

    import numpy as np
    from multiarea_model import MultiAreaModel
    from multiarea_model.multiarea_helpers import dict_to_vector

    # Ground state at full scale, as run_example_fullscale.py sets it up.
    conn_params = {"cc_weights_factor": 1.0, "cc_weights_I_factor": 1.0}
    network_params = {"N_scaling": 1.0, "K_scaling": 1.0, "connection_params": conn_params}
    M = MultiAreaModel(network_params, simulation=False, theory=False)
    P = M.params

    areas = list(M.area_list)
    pops = [(a, p) for a in areas for p in M.structure[a]]
    n = len(pops)
    assert [f"{a}-{p}" for a, p in pops] == list(M.structure_vec)
    N_f = np.asarray(M.N_vec, dtype=float)           # the model's (real) neuron numbers
    K = np.asarray(M.K_matrix, dtype=float)           # in-degrees, last column external
    S = np.asarray(M.syn_matrix, dtype=float)[:, :n]  # synapse numbers = K * N_target
    W = np.asarray(M.W_matrix, dtype=float)           # mean PSC amplitudes (pA)

    sn = P["neuron_params"]["single_neuron_dict"]
    dp = P["delay_params"]
    cp = P["connection_params"]
    ip = P["input_params"]
    dt = 0.1  # default_params.sim_params['dt']

    with open(os.path.join(src, "tests", "fullscale_rates.json")) as f:
        ref_rates = json.load(f)

    populations = []
    for i, (a, p) in enumerate(pops):
        populations.append([a, p, int(N_f[i]), round(float(N_f[i]), 3),
                            sig(float(K[i, n]), 7), sig(ref_rates[a][p], 7)])

    pairs = []
    n_syn_total = 0
    for i, (ta, tp) in enumerate(pops):
        for j, (sa, sp) in enumerate(pops):
            if K[i, j] == 0:
                continue
            w = float(M.W[ta][tp][sa][sp])
            wsd = float(M.W_sd[ta][tp][sa][sp])
            assert abs(w - W[i, j]) < 1e-9
            if ta == sa:
                d = dp["delay_e"] if "E" in sp else dp["delay_i"]
            else:
                d = M.distances[ta][sa] / dp["interarea_speed"]
            n_syn = int(S[i, j])  # NEST's conn_spec 'N': int(synapses[target][source])
            n_syn_total += n_syn
            pairs.append([i, j, sig(float(K[i, j]), 7), n_syn, round(w, 4), round(wsd, 4),
                          round(d, 4), round(d * dp["delay_rel"], 4)])

    W_ext = float(W[0, n])
    assert np.allclose(W[:, n], W_ext)
    dist = [[round(M.distances[a][b], 4) if a != b else 0 for b in areas] for a in areas]

    data = {
        "source": {
            "repository": "INM-6/multi-area-model (github.com/INM-6/multi-area-model)",
            "commit": args.commit,
            "model_label": M.label,
            "how": ("multiarea_model.MultiAreaModel(network_params, simulation=False, "
                    "theory=False) run by bench/multi_area/extract_data.py; NEST not "
                    "imported (a stub module); numpy 1.26, scipy 1.13, pandas 2.2; R absent, "
                    "so the implementation's hard-coded SLN fit parameters were used (its own "
                    "fallback)"),
            "parameters": {
                "network_params": network_params,
                "defaults": ("everything else default_params.py's: K_stable = "
                             "figures/SchueckerSchmidt2017/K_prime_original.npy (the "
                             "stabilised connectivity of Schuecker, Schmidt et al. 2017, which "
                             "run_example_fullscale.py keeps), g = -11, PSP_e 0.15 mV, "
                             "PSP_e_23_4 0.3 mV, PSP_ext 0.15 mV, PSC_rel_sd_normal 0.1, "
                             "fac_nu_ext_5E 1.125, fac_nu_ext_6E 1.41666667, fac_nu_ext_TH "
                             "1.2, rate_ext 10 spikes/s, delay_e 1.5 ms, delay_i 0.75 ms, "
                             "delay_rel 0.5, interarea_speed 3.5 mm/ms, dt 0.1 ms, "
                             "rng_seed 1"),
            },
            "derived": {
                "populations.N": "int(N_model), as simulation.py's nest.Create(..., int(N))",
                "populations.N_model": "MultiAreaModel.N (real numbers from the data "
                                       "pipeline), rounded to 3 decimals",
                "populations.K_ext": ("external (Poisson) in-degree, MultiAreaModel.K[area]"
                                      "[pop]['external']: the area's external synapses "
                                      "shared for equal in-degree, times fac_nu_ext_5E / "
                                      "fac_nu_ext_6E onto 5E / 6E and fac_nu_ext_TH onto TH "
                                      "23E and 5E (Model.py); 7 significant digits"),
                "populations.rate_ref": ("tests/fullscale_rates.json of the same commit: "
                                         "the ground state's full-scale population rates "
                                         "(spikes/s), 7 significant digits"),
                "pairs.K": ("in-degree, the K_stable matrix (target x source, "
                            "intra- and inter-area), 7 significant digits; only nonzero"),
                "pairs.synapses": ("int(K * N_model_target) from full-precision values: "
                                   "the N of NEST's fixed_total_number in simulation.py's "
                                   "connect(); 0 for %d pairs whose K * N < 1 (NEST makes "
                                   "no synapse there)" % sum(1 for r in pairs if r[3] == 0)),
                "pairs.w_mean": ("MultiAreaModel.W (pA): PSC amplitude giving PSP_e = 0.15 "
                                 "mV (x2 for 23E <- 4E within an area) for excitatory "
                                 "sources, g = -11 times that for inhibitory ones "
                                 "(Model.py's PSC_e_over_PSP_e for C_m 250 pF, tau_m 10 ms, "
                                 "tau_syn 0.5 ms); cc_weights_factor = cc_weights_I_factor "
                                 "= 1 leaves the inter-area weights the same"),
                "pairs.w_sd": "MultiAreaModel.W_sd (pA): 0.1 |w_mean|",
                "pairs.d_mean": ("ms: delay_e 1.5 (intra-area, excitatory source), delay_i "
                                 "0.75 (intra-area, inhibitory source), else distance / "
                                 "3.5 mm/ms (MultiAreaModel.distances)"),
                "pairs.d_sd": "ms: delay_rel 0.5 times d_mean",
                "external": ("one poisson_generator per population at rate_ext * K_ext, "
                             "connected all-to-all (independent trains per target) with "
                             "weight w_ext and no delay given, so NEST's default 1.0 ms"),
            },
            "nest_connect": ("fixed_total_number (multapses and autapses allowed), weight "
                             "normal(w_mean, w_sd) redrawn outside [0, inf) for excitatory "
                             "and (-inf, 0] for inhibitory sources, delay normal(d_mean, "
                             "d_sd) redrawn below dt (no upper bound)"),
        },
        "dt_ms": dt,
        "neuron": {
            "model": P["neuron_params"]["neuron_model"],
            "C_m_pF": sn["C_m"], "tau_m_ms": sn["tau_m"], "t_ref_ms": sn["t_ref"],
            "E_L_mV": sn["E_L"], "V_reset_mV": sn["V_reset"], "V_th_mV": sn["V_th"],
            "tau_syn_ex_ms": sn["tau_syn_ex"], "tau_syn_in_ms": sn["tau_syn_in"],
            "V0": {"distribution": "normal", "mean_mV": P["neuron_params"]["V0_mean"],
                   "sd_mV": P["neuron_params"]["V0_sd"],
                   "note": ("simulation.py, NEST 3 branch: V_m = nest.random.normal("
                            "V0_mean, V0_sd), no clipping")},
        },
        "external": {"rate_ext_Hz": ip["rate_ext"], "w_ext_pA": round(W_ext, 4),
                     "delay_ms": 1.0},
        "connection": {"g": cp["g"], "PSP_e_mV": cp["PSP_e"],
                       "PSP_e_23_4_mV": cp["PSP_e_23_4"], "PSP_ext_mV": cp["PSP_ext"],
                       "PSC_rel_sd": cp["PSC_rel_sd_normal"],
                       "cc_weights_factor": cp["cc_weights_factor"],
                       "cc_weights_I_factor": cp["cc_weights_I_factor"],
                       "delay_e_ms": dp["delay_e"], "delay_i_ms": dp["delay_i"],
                       "delay_rel": dp["delay_rel"],
                       "interarea_speed_mm_per_ms": dp["interarea_speed"]},
        "areas": areas,
        "area_distances_mm": dist,
        "populations": {"columns": ["area", "pop", "N", "N_model", "K_ext", "rate_ref"],
                        "rows": populations},
        "pairs": {"columns": ["target", "source", "K", "synapses", "w_mean", "w_sd",
                              "d_mean", "d_sd"],
                  "note": "target and source index populations.rows",
                  "rows": pairs},
        "totals": {
            "areas": len(areas),
            "populations": n,
            "neurons": int(sum(r[2] for r in populations)),
            "neurons_model": round(float(N_f.sum()), 1),
            "pairs_nonzero_K": len(pairs),
            "pairs_with_synapses": sum(1 for r in pairs if r[3] > 0),
            "synapses": n_syn_total,
            "synapses_model": round(float(S.sum()), 0),
            "external_synapses_K_ext_N": round(float((K[:, n] * N_f).sum()), 0),
        },
    }

    with open(output, "w") as f:
        f.write("{\n")
        keys = list(data)
        for k, key in enumerate(keys):
            end = ",\n" if k + 1 < len(keys) else "\n"
            v = data[key]
            if key in ("populations", "pairs"):
                f.write(f'"{key}": {{')
                inner = [f'"{ik}": {json.dumps(iv)}' for ik, iv in v.items() if ik != "rows"]
                f.write(", ".join(inner) + ', "rows": [\n')
                f.write(",\n".join(json.dumps(r, separators=(",", ":")) for r in v["rows"]))
                f.write("\n]}" + end)
            elif key == "area_distances_mm":
                f.write(f'"{key}": [\n')
                f.write(",\n".join(json.dumps(r, separators=(",", ":")) for r in v))
                f.write("\n]" + end)
            else:
                f.write(f'"{key}": {json.dumps(v, indent=1)}{end}')
        f.write("}\n")
    t = data["totals"]
    print(f"{args.output}: {t['areas']} areas, {t['populations']} populations, "
          f"{t['neurons']} neurons, {t['pairs_nonzero_K']} nonzero pairs "
          f"({t['pairs_with_synapses']} with synapses), {t['synapses']} synapses")


if __name__ == "__main__":
    main()
