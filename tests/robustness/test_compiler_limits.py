# Issue 11, rows 8, 9, 10, 11, 17 and 18: what the compiler refuses instead of compiling a
# network that runs wrong or loses its run (the diagnostics themselves are pinned in
# tests/diagnostics/: stdlib-poisson-rate, model-time-constants, driver-output-is-input, net-record-name-length,
# net-too-many-steps, net-views). Each test asserts the located error, and that the source
# and an earlier binary at the output path are unchanged. Row 16 is a compile time that
# must stay linear in the length of a block.
import hashlib
import os
import pathlib
import resource
import shutil
import subprocess
import tempfile
import time

import pytest

NETWORK = """import pynn
network n {{
  dt = 0.1 ms;  duration = {duration}
  population {name} = IF_curr_exp(10) {{ tau_m = {tau_m}; i_offset = 1 nA }}
  record {record}
}}
"""
GOOD = dict(duration="100 ms", name="cells", tau_m="20 ms", record="cells.spikes")


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def compile_fails(toolchain, tmp_path, message, **changes):
    """Writes the network with `changes`, compiles it over an earlier binary and asserts
    the error at the right line, the source and binary unchanged."""
    source = tmp_path / "net.gdsl"
    source.write_text(NETWORK.format(**{**GOOD, **changes}))
    output = tmp_path / "sim"
    output.write_bytes(b"an earlier build")
    before = digest(source), digest(output)
    proc = subprocess.run([str(toolchain.gennc), str(source), "-o", str(output)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert f"{source}:" in proc.stderr and "error: " in proc.stderr, proc.stderr
    for part in message:
        assert part in proc.stderr, f"{part!r} not in {proc.stderr!r}"
    assert (digest(source), digest(output)) == before
    return proc.stderr


def test_the_network_compiles_as_written(toolchain, tmp_path):
    source = tmp_path / "net.gdsl"
    source.write_text(NETWORK.format(**GOOD))
    results = toolchain.run(toolchain.compile(source), tmp_path / "results")
    assert len(results.spikes("cells")[1]) > 0


@pytest.mark.parametrize("tau_m, shown", [("0 ms", "0 ms"), ("-20 ms", "-20 ms"),
                                          ("[20 ms, 20 ms, 20 ms, 20 ms, 0 ms, 20 ms, 20 ms, 20 ms, 20 ms, 20 ms]",
                                           "0 ms"),
                                          ("uniform(-1 ms, 5 ms)", "uniform")])
def test_row_9_a_time_constant_must_be_positive(toolchain, tmp_path, tau_m, shown):
    compile_fails(toolchain, tmp_path, ["net.gdsl:4:", "'tau_m' of population 'cells' must be positive", shown,
                                        "[time-constant]"], tau_m=tau_m)


@pytest.mark.parametrize("spelling", ["{}", "./{}"])
def test_row_10_output_equal_to_the_input_is_refused(toolchain, tmp_path, spelling):
    source = tmp_path / "net.gdsl"
    source.write_text(NETWORK.format(**GOOD))
    before = digest(source)
    proc = subprocess.run([str(toolchain.gennc), source.name, "-o", spelling.format(source.name)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "is the input file: writing the output there would destroy it [output]" in proc.stderr
    assert digest(source) == before


def test_row_11_a_name_too_long_for_a_file_is_refused(toolchain, tmp_path):
    name = "p" * 300
    compile_fails(toolchain, tmp_path, ["net.gdsl:5:10: error: recording '", "has a name of 307 bytes",
                                        "allow at most 239"], name=name, record=name + ".spikes")


@pytest.mark.parametrize("duration", ["1e300 ms", "1e12 s"])
def test_row_17_more_steps_than_the_random_streams_address_are_refused(toolchain, tmp_path, duration):
    compile_fails(toolchain, tmp_path, ["net.gdsl:3:", "the random streams address at most 2^40 steps"],
                  duration=duration)


def test_row_18_a_reversed_view_is_refused(toolchain, tmp_path):
    compile_fails(toolchain, tmp_path, ["net.gdsl:5:16: error: slice start 8 is after its stop 2"],
                  record="cells[8:2].v")


@pytest.mark.parametrize("size, shown", [("4294967306", "4294967306"), ("4294967296", "4294967296"),
                                         ("1e12", "1e+12")])
def test_row_4_a_population_beyond_32_bits_is_refused_not_wrapped(toolchain, tmp_path, size, shown):
    compile_fails(toolchain, tmp_path, ["net.gdsl:4:", f"a population of {shown} neurons is more than the runtime "
                                        "numbers: at most 2^32 - 1"],
                  name=f"cells = IF_curr_exp({size}) {{ }}\n  population cells2", record="cells2.spikes")


def test_row_4_a_projection_beyond_32_bits_of_synapses_is_refused(toolchain, tmp_path):
    record = ("cells.spikes\n  population big = IF_curr_exp(70000)\n"
              "  projection dense = big -> big via all_to_all() synapse StaticSynapse(weight = 0.1 nA) onto excitatory")
    compile_fails(toolchain, tmp_path, ["net.gdsl:7:", "projection 'dense' makes 4900000000 synapses (70000 x 70000 "
                                        "neurons); the runtime numbers at most 2^32 - 1"], record=record)


@pytest.mark.parametrize("rate, shown, events", [("1e15 Hz", "1e+15 Hz", "1e+11"), ("1e16 kHz", "1e+19 Hz", "1e+15"),
                                                 ("-1 Hz", "-1 Hz", "-0.0001")])
def test_row_8_a_poisson_rate_beyond_the_spike_count_is_refused(toolchain, tmp_path, rate, shown, events):
    # Once 0 spikes, silently: the draw overflowed the 32-bit spike count.
    compile_fails(toolchain, tmp_path, ["net.gdsl:4:53: error: 'rate' of population 'noise' is "
                                        f"{shown}, giving poisson({events}) events per step; 'SpikeSourcePoisson' "
                                        "needs 0 to 1000000 per step and neuron [poisson-rate]"],
                  name=f"noise = SpikeSourcePoisson(3) {{ rate = {rate} }}\n  population cells")


def test_row_16_chained_lets_compile_in_linear_time(toolchain, tmp_path):
    # Each `let` once made the parser read ahead to the end of the block (a following `+ a`
    # could have started a statement): 10,000 lets took 17 s, 20,000 over two minutes. Now
    # about a second; the bound only catches a return to quadratic time.
    lets = "".join(f"    let x{i + 1} = x{i} + a\n" for i in range(20000))
    source = tmp_path / "lets.gdsl"
    source.write_text("neuron N {\n  parameters { a: real = 1.0 }\n  state { v: real = 0.0 }\n"
                      f"  update {{\n    let x0 = a\n{lets}    v = x20000\n  }}\n}}\n"
                      "network n {\n  let y0 = 1\n"
                      + "".join(f"  let y{i + 1} = y{i} - 1\n" for i in range(20000)) + "}\n")
    started = time.monotonic()
    proc = subprocess.run([str(toolchain.gennc), "--check", str(source)], capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    assert elapsed < 20, f"{elapsed:.1f} s"


def test_print_after_names_a_pass_of_the_pipeline(toolchain, tmp_path):
    """--print-after takes a pass of the pipeline or `all`; a misspelt name is command-line
    misuse naming the passes, not a silent run that prints nothing."""
    source = tmp_path / "net.gdsl"
    source.write_text("neuron C { state { v: mV = 0.0 } equations { v' = -v / (10 ms) } }\n"
                      "network n { population p = C(1) }\n")
    proc = subprocess.run([str(toolchain.gennc), str(source), "--emit=ir", "--print-after=solve_ode"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "--print-after: solve_ode not in {" in proc.stderr and "solve_odes" in proc.stderr
    proc = subprocess.run([str(toolchain.gennc), str(source), "--emit=ir", "--print-after=solve_odes"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "; IR after solve_odes" in proc.stderr


def test_issue_10_no_process_to_spare_is_an_error_not_an_internal_one(toolchain):
    # Under a process limit (EAGAIN from fork and thread creation) the compiler builds on
    # one thread and reports the linker it cannot start, as it would any failed link.
    folder = pathlib.Path(tempfile.mkdtemp())
    folder.chmod(0o777)  # the unprivileged user below writes here
    try:
        source = folder / "net.gdsl"
        source.write_text(NETWORK.format(**GOOD))

        def no_processes():
            if os.getuid() == 0:  # root is exempt from RLIMIT_NPROC
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))

        proc = subprocess.run([str(toolchain.gennc), str(source), "-o", str(folder / "sim")], capture_output=True,
                              text=True, timeout=120, preexec_fn=no_processes)
        assert proc.returncode == 1, proc.stderr
        assert "error: " in proc.stderr and "internal compiler error" not in proc.stderr, proc.stderr
        assert "Resource temporarily unavailable" in proc.stderr, proc.stderr
        assert not (folder / "sim").exists()
    finally:
        shutil.rmtree(folder)
