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

  population exc = IF_curr_delta(N_E) {{
    tau_m = tau;  cm = C;  v_rest = 0 mV;  v_thresh = theta;  v_reset = 10 mV;  tau_refrac = 2 ms
    v = uniform(0 mV, 20 mV)
  }}
  population inh = IF_curr_delta(N_I) {{
    tau_m = tau;  cm = C;  v_rest = 0 mV;  v_thresh = theta;  v_reset = 10 mV;  tau_refrac = 2 ms
    v = uniform(0 mV, 20 mV)
  }}

  // Fixed out-degree: every neuron makes 800 synapses onto excitatory and 200 onto
  // inhibitory cells, with repetition. As N_E = 4 N_I, a neuron then receives K_E excitatory
  // and K_I inhibitory inputs on average.
  let out_to_exc = 800
  let out_to_inh = 200
  projection e2e = exc -> exc via fixed_number_post(n = out_to_exc, with_replacement = true)
    synapse StaticSynapse(weight = J, delay = D) onto excitatory
  projection e2i = exc -> inh via fixed_number_post(n = out_to_inh, with_replacement = true)
    synapse StaticSynapse(weight = J, delay = D) onto excitatory
  projection i2e = inh -> exc via fixed_number_post(n = out_to_exc, with_replacement = true)
    synapse StaticSynapse(weight = -g * J, delay = D) onto inhibitory
  projection i2i = inh -> inh via fixed_number_post(n = out_to_inh, with_replacement = true)
    synapse StaticSynapse(weight = -g * J, delay = D) onto inhibitory

  inject NoisyCurrentSource(mean = i_mean, stdev = i_sd, dt = 0.1 ms) into exc
  inject NoisyCurrentSource(mean = i_mean, stdev = i_sd, dt = 0.1 ms) into inh

  record exc.spikes, inh.spikes
}}
"""


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "networks")
    os.makedirs(out, exist_ok=True)
    for n in SIZES:
        n_e = n * 4 // 5
        text = TEMPLATE.format(n=n, n_e=n_e, n_i=n - n_e, synapses=f"{n * 1000:.0e}".replace("+0", ""))
        with open(os.path.join(out, f"brunel_{n}.gdsl"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
