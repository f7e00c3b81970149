#!/usr/bin/env python3
"""Writes the Brunel-style networks of the GPU scaling sweep, bench/gpu/networks/brunel_N.gdsl.

Every network is Brunel's (2000) sparse excitatory-inhibitory network of IF_curr_delta cells
(80% excitatory), with the same synapses per neuron at every size, so that the dynamics and
the rates stay the same while neurons and synapses grow by 10x per point:

- Each neuron makes exactly K = 1000 outgoing synapses (fixed out-degree, with repetition):
  excitatory cells 800 onto excitatory and 200 onto inhibitory targets, inhibitory cells
  likewise. The in-degree is then 800 excitatory + 200 inhibitory inputs on average
  (Brunel's C_E = 4 C_I). A fixed out-degree makes the synaptic events of a run exactly
  spikes x 1000, which the benchmark reports as events per second. At N = 1000 the network
  is dense (every pair connected about once); the point measures a small network's cost per
  step.
- g = 8 and nu_ext = 1.2 nu_thr: irregular activity (CV of the ISIs about 0.4, a weak
  fast rhythm) at about 6 Hz, a rate in the range of cortical networks; the mean-field
  (Siegert) rate is 5.9 Hz. Measured on the CPU at N = 10^4, 100-600 ms: 5.75 Hz.
- The external input, K_E Poisson inputs at nu_ext each in Brunel's model, is given in the
  diffusion approximation that Brunel's analysis uses: a noise current redrawn every step
  (NoisyCurrentSource) with the mean and the per-step variance of those inputs. One Poisson
  source per neuron would carry 10 kHz, about one spike per neuron and step: at N = 10^6 the
  benchmark would then time 10^10 source spikes per second rather than the recurrent network.

    python3 bench/gpu/make_networks.py [OUT_DIR]      (default: bench/gpu/networks)
"""
import os
import sys

SIZES = [1_000, 10_000, 100_000, 1_000_000]

TEMPLATE = """\
// Brunel-style network of the GPU scaling sweep: {n} neurons, {synapses} synapses.
// Written by bench/gpu/make_networks.py (which explains the choices); edit that script, not
// this file. Brunel (2000), J. Comput. Neurosci. 8(3):183-208; parameters as
// examples/brunel2000_ai.gdsl except g, eta, the connector and the external input.

import pynn

network brunel_{n} {{
  dt = 0.1 ms
  duration = 1000 ms
  seed = 2000

  let N_E = {n_e}
  let N_I = {n_i}
  let K_E = 800                              // excitatory inputs per neuron (mean)
  let K_I = 200                              // inhibitory inputs per neuron (mean)
  let g = 8                                  // relative strength of inhibition
  let eta = 1.2                              // nu_ext / nu_thr
  let J = 0.1 mV                             // jump of v per excitatory spike
  let D = 1.5 ms                             // synaptic delay
  let tau = 20 ms
  let theta = 20 mV
  let C = 1 pF                               // membrane capacitance: scales the input current only

  // External input: K_E Poisson trains at nu_ext move v by J K_E nu_ext tau on average, with
  // variance J^2 K_E nu_ext dt per step. A current held over one step moves v by
  // I / C * tau (1 - exp(-dt / tau)) (exact integration), so the noise current that gives
  // that per-step variance has the standard deviation below.
  let nu_thr = theta / (J * K_E * tau)
  let nu_ext = eta * nu_thr
  let i_mean = J * K_E * nu_ext * C
  let i_sd = J * sqrt(K_E * nu_ext * dt) * C / (tau * (1 - exp(-dt / tau)))

{body}}}
"""


POPULATION = """\
  population {name} = IF_curr_delta({size}) {{
    tau_m = tau;  cm = C;  v_rest = 0 mV;  v_thresh = theta;  v_reset = 10 mV;  tau_refrac = 2 ms
    v = uniform(0 mV, 20 mV)
  }}
"""

CONNECTIVITY = """
  // Fixed out-degree: every neuron makes 800 synapses onto excitatory and 200 onto
  // inhibitory cells, with repetition. As N_E = 4 N_I, a neuron then receives K_E excitatory
  // and K_I inhibitory inputs on average.
  let out_to_exc = 800
  let out_to_inh = 200
"""

PROJECTION = """\
  projection {name} = {pre} -> {post} via fixed_number_post(n = {n}, with_replacement = true)
    synapse StaticSynapse(weight = {weight}, delay = D) onto {receptor}
"""


def body(n_e, n_i, blocks):
    """Populations, projections, inputs and recordings. With blocks > 1 each population is
    cut into that many equal blocks and every neuron's synapses onto a population are shared
    equally among its blocks (the same in-degrees), so that no projection numbers more than
    the runtime's 2^32 - 1 synapses."""
    if blocks == 1:
        exc, inh, sizes, share = ["exc"], ["inh"], ("N_E", "N_I"), ""
    else:
        exc = [f"exc_{b}" for b in range(blocks)]
        inh = [f"inh_{b}" for b in range(blocks)]
        sizes, share = (n_e // blocks, n_i // blocks), f" / {blocks}"
    text = "".join(POPULATION.format(name=p, size=sizes[0]) for p in exc)
    text += "".join(POPULATION.format(name=p, size=sizes[1]) for p in inh)
    if blocks > 1:
        text += (f"\n  // {blocks} blocks per population (bench/gpu/make_networks.py, body()): no projection\n"
                 f"  // may number more than 2^32 - 1 synapses.\n")
    text += CONNECTIVITY
    for pres, tag, weight, receptor in ((exc, "e", "J", "excitatory"), (inh, "i", "-g * J", "inhibitory")):
        for posts, post_tag, n in ((exc, "e", "out_to_exc"), (inh, "i", "out_to_inh")):
            for pre in pres:
                for post in posts:
                    name = f"{tag}2{post_tag}" if blocks == 1 else f"{pre}_to_{post}"
                    text += PROJECTION.format(name=name, pre=pre, post=post, n=n + share, weight=weight,
                                              receptor=receptor)
    text += "\n"
    text += "".join(f"  inject NoisyCurrentSource(mean = i_mean, stdev = i_sd, dt = 0.1 ms) into {p}\n" for p in exc + inh)
    text += "\n  record " + ", ".join(f"{p}.spikes" for p in exc + inh) + "\n"
    return text


def write_network(out, n, blocks=1):
    """Writes OUT/brunel_N.gdsl (also used by bench/multi_gpu/make_weak_scaling.py) and
    returns its path."""
    n_e = n * 4 // 5
    assert n_e % blocks == 0 and (n - n_e) % blocks == 0
    text = TEMPLATE.format(n=n, n_e=n_e, n_i=n - n_e, synapses=f"{n * 1000:.0e}".replace("+0", ""),
                           body=body(n_e, n - n_e, blocks))
    path = os.path.join(out, f"brunel_{n}.gdsl")
    with open(path, "w") as f:
        f.write(text)
    return path


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "networks")
    os.makedirs(out, exist_ok=True)
    for n in SIZES:
        write_network(out, n)


if __name__ == "__main__":
    main()
