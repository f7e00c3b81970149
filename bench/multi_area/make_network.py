#!/usr/bin/env python3
"""Write the multi-area model of macaque visual cortex (Schmidt et al. 2018) as a GDSL network.

Reads data.json (beside this script; written by extract_data.py from the INM-6 reference
implementation, see README.md) and writes one network: an IF_curr_exp population per model
population, a Poisson background per neuron (one SpikeSourcePoisson per neuron, one-to-one),
and one projection per (source, target) pair with synapses. Python 3 standard library only.

    python3 make_network.py -o mam.gdsl                        # full scale, ground state
    # one GPU: recurrent rows regenerated on each spike, not stored (README.md)
    python3 make_network.py --connector probability --procedural -o mam.gdsl
    build/bin/gennc mam.gdsl -o sim
    # the CPU, strongly down-scaled, the model's own connection rule
    python3 make_network.py --scale-neurons 0.01 --scale-indegrees 0.01 --connector total \
        -o mam_small.gdsl

The output is generated; do not commit it.
"""

import argparse
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def ident(area, pop=None):
    """A GDSL identifier for an area or a population: V1_23E, area46_5I, area7a_6E."""
    a = ("area" + area) if area[0].isdigit() else area
    return a if pop is None else f"{a}_{pop}"


def num(x, digits=7):
    """A number as GDSL text: `digits` significant digits, in fixed notation."""
    if x == 0:
        return "0"
    s = f"{x:.{digits}g}"
    if "e" in s:
        s = f"{x:.{max(0, digits - 1 - int(s.split('e')[1]))}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", default="-", help="GDSL file to write (- for stdout)")
    ap.add_argument("--data", default=os.path.join(HERE, "data.json"))
    ap.add_argument("--connector", choices=["total", "number_post", "probability"],
                    default="number_post",
                    help="total: fixed_total_number(n = synapses), the model's own rule (not "
                         "procedural); number_post (default): fixed_number_post(n = round("
                         "synapses / N_pre), with_replacement = true); probability: "
                         "fixed_probability(p = synapses / (N_pre N_post))")
    ap.add_argument("--scale-neurons", type=float, default=1.0, metavar="S",
                    help="population sizes times S (the model's N_scaling)")
    ap.add_argument("--scale-indegrees", type=float, default=1.0, metavar="K",
                    help="in-degrees times K (the model's K_scaling)")
    ap.add_argument("--compensation", choices=["model", "none"], default="model",
                    help="with --scale-indegrees below 1: 'model' scales weights by "
                         "1/sqrt(K) and adds the model's DC offset (i_offset) restoring the "
                         "mean input at the reference rates, as MultiAreaModel.scale_network "
                         "does; 'none' keeps the full-scale weights and no offset")
    ap.add_argument("--areas", default="all",
                    help="comma-separated areas to simulate (default all 32); the input from "
                         "the others is left out, not replaced")
    ap.add_argument("--duration", type=float, default=1000.0, metavar="MS")
    ap.add_argument("--seed", type=int, default=1, help="the network's seed (model: rng_seed 1)")
    ap.add_argument("--record", default="all",
                    help="whose spikes to record: 'all' (default: every population), 'none', "
                         "or a comma-separated list of areas (V1) and populations (V1_23E)")
    ap.add_argument("--delay-bound-sd", type=float, default=5.0, metavar="B",
                    help="upper bound of each delay draw: mean + B sd (default 5; NEST has "
                         "none). It sets the ring depth, so the memory of the rings")
    ap.add_argument("--synapse-values", choices=["drawn", "mean"], default="drawn",
                    help="drawn (default): weights normal(w, sd) and delays normal_clipped per "
                         "synapse, as the model; mean: every synapse of a projection gets its "
                         "mean weight and its mean delay rounded to dt (no distributions), which "
                         "gennc can regenerate procedurally for number_post too")
    ap.add_argument("--procedural", action="store_true",
                    help="write `as procedural` on every recurrent projection (rows regenerated "
                         "on each spike, not stored: full scale on one GPU). Better than gennc "
                         "--procedural=all, which makes the background one_to_one projections "
                         "procedural too and so stops their fusion into the neuron updates. "
                         "Needs --connector probability, or number_post with --synapse-values "
                         "mean")
    ap.add_argument("--network-name", default="multi_area")
    args = ap.parse_args()

    with open(args.data) as f:
        D = json.load(f)
    Ns, Ks = args.scale_neurons, args.scale_indegrees
    if not (0 < Ns <= 1 and 0 < Ks <= 1):
        sys.exit("make_network.py: the scales must be in (0, 1]")
    compensate = args.compensation == "model" and Ks != 1.0
    if args.procedural and not (args.connector == "probability" or
                                (args.connector == "number_post" and
                                 args.synapse_values == "mean")):
        sys.exit("make_network.py: --procedural needs --connector probability, or --connector "
                 "number_post with --synapse-values mean: gennc regenerates no "
                 "fixed_total_number rows, nor fixed_number_post(with_replacement = true) rows "
                 "whose weights or delays are drawn per synapse")
    as_proc = " as procedural" if args.procedural else ""

    areas_all = D["areas"]
    areas = areas_all if args.areas == "all" else [a.strip() for a in args.areas.split(",")]
    for a in areas:
        if a not in areas_all:
            sys.exit(f"make_network.py: unknown area {a!r} (areas: {', '.join(areas_all)})")
    area_set = set(areas)
    cols = D["populations"]["columns"]
    pops = [dict(zip(cols, r)) for r in D["populations"]["rows"]]
    pcols = D["pairs"]["columns"]
    pairs = [dict(zip(pcols, r)) for r in D["pairs"]["rows"]]
    nrn = D["neuron"]
    dt = D["dt_ms"]
    tau_syn = nrn["tau_syn_ex_ms"]
    rate_ext = D["external"]["rate_ext_Hz"]
    w_ext = D["external"]["w_ext_pA"]

    # Sizes: the model multiplies its real N by N_scaling and NEST creates int() of that.
    for p in pops:
        p["name"] = ident(p["area"], p["pop"])
        p["n"] = int(p["N_model"] * Ns) if Ns != 1.0 else p["N"]
        p["on"] = p["area"] in area_set
        if p["on"] and p["n"] < 1:
            sys.exit(f"make_network.py: {p['name']} has no neuron at --scale-neurons {Ns}")

    # DC offset of MultiAreaModel.adj_W_to_K: C_m / tau_m (1 - sqrt(K)) (x1 + x1_ext), with
    # x1 = tau_m sum_j J_ij K_ij nu_j over every source (every area, simulated or not),
    # x1_ext = tau_m J_ext K_ext nu_ext, J = W tau_syn / C_m the PSP in mV, and the
    # full-scale K, W and reference rates nu. In pA: (1 - sqrt(K)) tau_syn sum W K nu.
    dc = [0.0] * len(pops)
    if compensate:
        for p_ in pairs:
            dc[p_["target"]] += p_["w_mean"] * p_["K"] * pops[p_["source"]]["rate_ref"]
        for i, p in enumerate(pops):
            dc[i] += w_ext * p["K_ext"] * rate_ext
            dc[i] *= (1.0 - math.sqrt(Ks)) * tau_syn * 1e-3
    wfac = 1.0 / math.sqrt(Ks) if compensate else 1.0

    # Projections.
    projections = []
    dropped = {"pairs": 0, "synapses": 0}
    model_syn = 0
    clipped_p = []
    for p_ in pairs:
        t, s = pops[p_["target"]], pops[p_["source"]]
        if not (t["on"] and s["on"]):
            continue
        # The model's synapse number: int(K N_model) at full scale (data.json), else
        # int(K N_model N_scaling K_scaling) (scale_network, then NEST's int()).
        if Ns == 1.0 and Ks == 1.0:
            S = p_["synapses"]
        else:
            S = int(p_["K"] * t["N_model"] * Ns * Ks)
        model_syn += S
        if S == 0:
            continue
        if args.connector == "total":
            conn = f"fixed_total_number(n = {S})"
            n_made = S
        elif args.connector == "number_post":
            k_out = int(math.floor(S / s["n"] + 0.5))
            n_made = k_out * s["n"]
            if k_out == 0:
                dropped["pairs"] += 1
                dropped["synapses"] += S
                continue
            conn = f"fixed_number_post(n = {k_out}, with_replacement = true)"
        else:
            prob = S / (s["n"] * t["n"])
            if prob > 1.0:
                clipped_p.append((s["name"], t["name"], prob))
                prob = 1.0
            n_made = prob * s["n"] * t["n"]
            conn = f"fixed_probability(p = {num(prob, 7)})"
        projections.append(dict(t=t, s=s, conn=conn, S=S, made=n_made, w=p_["w_mean"] * wfac,
                                w_sd=p_["w_sd"], d=p_["d_mean"], d_sd=p_["d_sd"],
                                exc=p_["w_mean"] > 0))
    if clipped_p:
        worst = max(clipped_p, key=lambda x: x[2])
        sys.exit(f"make_network.py: --connector probability needs p <= 1, but {len(clipped_p)} "
                 f"pairs have more synapses than pre x post pairs (worst {worst[0]} -> "
                 f"{worst[1]}: {worst[2]:.3g}); use number_post or total, or scale the "
                 "in-degrees with the neurons")

    # Names for the weights and delays in use: one `let` per distinct value.
    wnames, dnames = {}, {}

    def wname(w, sd):
        key = (round(w, 4), round(sd, 4))
        if key not in wnames:
            base = "w_e" if w > 0 else "w_i"
            k = sum(1 for (ww, _) in wnames if (ww > 0) == (w > 0))
            wnames[key] = base if k == 0 else f"{base}{k + 1}"
        return wnames[key]

    def dname(p):
        key = (round(p["d"], 4), round(p["d_sd"], 4))
        if key not in dnames:
            if p["t"]["area"] == p["s"]["area"]:
                nm = "d_e" if p["exc"] else "d_i"
            else:
                a, b = sorted((p["s"]["area"], p["t"]["area"]), key=areas_all.index)
                nm = f"d_{ident(a)}_{ident(b)}"  # distances are symmetric
            while nm in dnames.values():
                nm += "_"
            dnames[key] = nm
        return dnames[key]

    for p in projections:
        p["wn"] = wname(p["w"], p["w_sd"])
        p["dn"] = dname(p)

    on = [p for p in pops if p["on"]]
    n_neurons = sum(p["n"] for p in on)
    n_made = sum(p["made"] for p in projections)
    n_ext = sum(p["n"] for p in on)

    # Recording.
    if args.record == "all":
        rec = [p["name"] for p in on]
    elif args.record == "none":
        rec = []
    else:
        rec = []
        names = {p["name"]: p for p in on}
        for item in [x.strip() for x in args.record.split(",") if x.strip()]:
            if item in area_set:
                rec += [p["name"] for p in on if p["area"] == item]
            elif "-" in item and ident(*item.split("-", 1)) in names:
                rec.append(ident(*item.split("-", 1)))
            elif item in names:
                rec.append(item)
            else:
                sys.exit(f"make_network.py: --record: no simulated area or population {item!r}")

    out = []
    w = out.append
    src = D["source"]
    conn_note = {
        "total": ["fixed_total_number(n = S): S synapses between random (pre, post) pairs,",
                  "multapses and autapses allowed: the model's own rule (NEST's",
                  "fixed_total_number). Stored rows only: gennc cannot make it procedural, so",
                  "at full scale it does not fit one GPU (24e9 synapses)."],
        "number_post": ["fixed_number_post(n = k, with_replacement = true), k = round(S / N_pre):",
                        "every source neuron makes exactly k synapses onto targets drawn with",
                        "replacement (multapses and autapses allowed). The model's",
                        "fixed_total_number gives each source a binomial out-degree of mean S /",
                        "N_pre and each target one of mean K; here out-degrees are fixed and",
                        "in-degrees binomial, and the rounding of k changes each pair's total",
                        "(pairs with S / N_pre < 0.5 get none: see the totals)."],
        "probability": ["fixed_probability(p = S / (N_pre N_post)): each (pre, post) pair",
                        "connected with probability p, so S synapses in expectation; at most one",
                        "synapse per pair (the model allows multapses), in- and out-degrees",
                        "binomial."],
    }[args.connector]
    w("// The multi-area model of macaque visual cortex, ground state. GENERATED by")
    w("// bench/multi_area/make_network.py from bench/multi_area/data.json: do not edit, do not commit.")
    w("//")
    w("//   M. Schmidt, R. Bakker, K. Shen, G. Bezgin, M. Diesmann, S. J. van Albada (2018). A")
    w("//   multi-scale layer-resolved spiking network model of resting-state dynamics in macaque")
    w("//   visual cortical areas. PLoS Comput Biol 14(10): e1006359.")
    w("//")
    w(f"// Data: {src['repository']} at {src['commit'][:12]}, MultiAreaModel with")
    w("// cc_weights_factor = cc_weights_I_factor = 1 (run_example_fullscale.py's ground state) and")
    w("// the stabilised in-degrees K_prime_original.npy (the default); see data.json's source.")
    w("//")
    w(f"// Command: make_network.py {' '.join(sys.argv[1:])}")
    w(f"// Areas: {len(areas)} of 32{'' if len(areas) == 32 else ' (' + ', '.join(areas) + '); input from the others is left out'}.")
    w(f"// Populations: {len(on)} (IF_curr_exp), neurons: {n_neurons}; Poisson background: {n_ext} sources.")
    w(f"// Projections: {len(projections)} recurrent + {len(on)} background (one_to_one).")
    w(f"// Synapses: {int(round(n_made))} recurrent{' (expected)' if args.connector == 'probability' else ''} against the model's {model_syn}"
      f" ({(n_made / model_syn - 1) * 100 if model_syn else 0:+.4f}%), plus {n_ext} background.")
    if dropped["pairs"]:
        w(f"// number_post dropped {dropped['pairs']} pairs whose S / N_pre rounds to 0 ({dropped['synapses']} synapses).")
    w(f"// Scale: neurons x {Ns}, in-degrees x {Ks}.")
    if args.procedural:
        w("// Every recurrent projection is `as procedural` (rows regenerated on each spike); the")
        w("// background stays stored and fused into the neuron updates. Compile without --procedural=all.")
    if Ks != 1.0:
        if compensate:
            w("// In-degrees scaled: as MultiAreaModel.scale_network, every weight (background included) is")
            w(f"// multiplied by 1 / sqrt(K) = {wfac:.6g} and each population gets the DC offset (i_offset)")
            w("// (1 - sqrt(K)) tau_syn (sum_j w_ij K_ij nu_j + w_ext K_ext nu_ext) with the full-scale")
            w("// K and w and the reference full-scale rates nu (tests/fullscale_rates.json), which keeps")
            w("// the mean input at those rates. The weight sds stay the full-scale ones, as the model's")
            w("// scale_network leaves W_sd alone.")
        else:
            w("// In-degrees scaled WITHOUT the model's compensation (--compensation none): weights stay")
            w("// full-scale and no DC offset replaces the lost mean input, so the mean input is K times")
            w("// the model's and the rates will differ.")
    w("//")
    w("// Connectivity. The model connects each pair with NEST's fixed_total_number, S synapses; here")
    for line in conn_note:
        w("// " + line)
    if args.connector == "number_post" and args.synapse_values == "drawn":
        w("// NOT PROCEDURAL: gennc refuses to regenerate fixed_number_post(with_replacement = true) rows")
        w("// whose weights or delays are drawn per synapse (a multapse's draws could not be told apart),")
        w("// so `--procedural=all` leaves these projections stored: 24e9 synapses at full scale, far")
        w("// beyond one GPU. Use --connector probability, or --synapse-values mean, for that.")
    elif args.connector == "total":
        w("// NOT PROCEDURAL: gennc cannot regenerate fixed_total_number rows; they are stored.")
    if args.synapse_values == "mean":
        w("// Synapse values (--synapse-values mean): every synapse of a projection has the pair's mean")
        w("// weight (pA; onto `excitatory` for excitatory sources, `inhibitory`, negative, for inhibitory")
        w("// ones) and its mean delay rounded to dt: no weight or delay distribution, unlike the model.")
    else:
        w("// Weights: normal(w, sd) in pA onto `excitatory` for excitatory sources, onto `inhibitory`")
        w("// (negative) for inhibitory ones; NEST redraws a weight of the wrong sign, 10 sd away, never")
        w("// reached, so a plain normal draws the same values. Delays: normal_clipped(d, d/2, dt, d +")
        w(f"// {num(args.delay_bound_sd, 4)} sd), redrawn below dt as NEST's redraw; NEST has no upper bound, the bound here")
        w("// (probability 3e-7 per draw at 5 sd) sets the ring depth.")
    w("// Mean delays: intra-area 1.5 ms (excitatory source) or 0.75 ms (inhibitory), inter-area the")
    w("// areas' distance / 3.5 mm/ms.")
    w("// Background: each neuron gets its own Poisson train at K_ext x 10 Hz (NEST: one")
    w("// poisson_generator per population, independent per target), weight w_ext, delay 1 ms")
    w("// (NEST's default; the model gives none). Initial v: normal(-150 mV, 50 mV) for every")
    w("// population (default_params.py V0_mean / V0_sd, drawn by simulation.py's NEST 3 branch).")
    w("")
    w("import pynn")
    w("")
    w(f"network {args.network_name} {{")
    w(f"  dt = {num(dt)} ms")
    w(f"  duration = {num(args.duration)} ms")
    w(f"  seed = {args.seed}")
    w("")
    w("  // ---- Weights (pA) and delays (ms) ----")
    for (wv, sd), nm in wnames.items():
        if args.synapse_values == "mean":
            w(f"  let {nm} = {num(wv, 8)} pA")
        else:
            w(f"  let {nm} = {num(wv, 8)} pA;  let {nm}_sd = {num(sd, 8)} pA")
    w(f"  let w_ext = {num(w_ext * wfac, 8)} pA")
    w(f"  let bg_rate = {num(rate_ext)} Hz")
    w(f"  let d_min = {num(dt)} ms")
    for (dv, sd), nm in sorted(dnames.items(), key=lambda kv: kv[1]):
        if args.synapse_values == "mean":
            w(f"  let {nm}_grid = {num(max(1, math.floor(dv / dt + 0.5)) * dt, 6)} ms  // {num(dv, 6)} ms")
        else:
            w(f"  let {nm} = {num(dv, 6)} ms;  let {nm}_sd = {num(sd, 6)} ms;  "
              f"let {nm}_max = {num(dv + args.delay_bound_sd * sd, 6)} ms")
    w("")
    w("  // ---- Populations (iaf_psc_exp) ----")
    for i, p in enumerate(pops):
        if not p["on"]:
            continue
        body = (f"cm = {num(nrn['C_m_pF'])} pF;  tau_m = {num(nrn['tau_m_ms'])} ms;  "
                f"tau_refrac = {num(nrn['t_ref_ms'])} ms;  tau_syn_E = {num(nrn['tau_syn_ex_ms'])} ms;  "
                f"tau_syn_I = {num(nrn['tau_syn_in_ms'])} ms;  v_rest = {num(nrn['E_L_mV'])} mV;  "
                f"v_reset = {num(nrn['V_reset_mV'])} mV;  v_thresh = {num(nrn['V_th_mV'])} mV;  "
                f"v = normal({num(nrn['V0']['mean_mV'])} mV, {num(nrn['V0']['sd_mV'])} mV)")
        if compensate:
            body += f";  i_offset = {num(dc[i], 7)} pA"
        w(f"  population {p['name']} = IF_curr_exp({p['n']}) {{ {body} }}")
    w("")
    w("  // ---- Background: K_ext x bg_rate per neuron, before the recurrent projections ----")
    for p in on:
        kext = p["K_ext"] * Ks
        w(f"  population bg_{p['name']} = SpikeSourcePoisson({p['n']}) {{ rate = {num(kext, 7)} * bg_rate }}")
    for p in on:
        w(f"  projection bg_to_{p['name']} = bg_{p['name']} -> {p['name']} via one_to_one() "
          f"synapse StaticSynapse(weight = w_ext, delay = 1 ms) onto excitatory")
    w("")
    w(f"  // ---- Recurrent projections: {args.connector}, by target ----")
    for p in projections:
        nm = f"{p['s']['name']}_to_{p['t']['name']}"
        rc = "excitatory" if p["exc"] else "inhibitory"
        d = p["dn"]
        w(f"  projection {nm} = {p['s']['name']} -> {p['t']['name']} via {p['conn']}  // S = {p['S']}")
        if args.synapse_values == "mean":
            w(f"    synapse StaticSynapse(weight = {p['wn']}, delay = {d}_grid) onto {rc}{as_proc}")
        else:
            w(f"    synapse StaticSynapse(weight = normal({p['wn']}, {p['wn']}_sd), "
              f"delay = normal_clipped({d}, {d}_sd, d_min, {d}_max)) onto {rc}{as_proc}")
    w("")
    if rec:
        w("  // ---- Recording ----")
        for k in range(0, len(rec), 8):
            w("  record " + ", ".join(f"{r}.spikes" for r in rec[k:k + 8]))
    w("}")
    text = "\n".join(out) + "\n"
    if args.connector == "number_post" and args.synapse_values == "drawn" and Ns * Ks > 0.01:
        print("make_network.py: note: gennc makes no fixed_number_post(with_replacement = true) "
              "projection procedural while its weights or delays are drawn per synapse "
              "(multapses); `gennc --procedural=all` then keeps these rows stored. For one GPU at "
              "full scale use --connector probability (or --synapse-values mean).",
              file=sys.stderr)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w") as f:
            f.write(text)
    print(f"make_network.py: {len(on)} populations, {n_neurons} neurons, {len(projections)} "
          f"recurrent projections ({args.connector}), {int(round(n_made))} recurrent synapses "
          f"(model: {model_syn}), {len(on)} background projections, {len(text)} bytes",
          file=sys.stderr)


if __name__ == "__main__":
    main()
