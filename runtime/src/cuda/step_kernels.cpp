#include "step_kernels.h"

namespace gennc::runtime::cuda {

// GenncKernelEnv offsets: arrays 0, lengths 8, t 16, dt 24, step 32, seed 40.
const char* const kStepKernelsPtx = R"PTX(
.version 7.0
.target sm_80
.address_size 64

.visible .entry gennc_zero_counts(.param .u64 counts, .param .u32 n)
{
  .reg .pred %p<2>;
  .reg .b32 %r<6>;
  .reg .b64 %rd<6>;
  ld.param.u64 %rd1, [counts];
  ld.param.u32 %r1, [n];
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %ntid.x;
  mov.u32 %r4, %tid.x;
  mad.lo.u32 %r5, %r2, %r3, %r4;
  setp.ge.u32 %p1, %r5, %r1;
  @%p1 bra DONE;
  cvta.to.global.u64 %rd2, %rd1;
  mul.wide.u32 %rd3, %r5, 8;
  add.s64 %rd4, %rd2, %rd3;
  ld.global.u64 %rd5, [%rd4];
  st.u32 [%rd5], 0;
DONE:
  ret;
}

.visible .entry gennc_finish_step(.param .u64 env, .param .u64 spikes, .param .u32 nspikes, .param .u64 samples,
                                  .param .u32 nsamples, .param .u64 counts, .param .u32 npops, .param .u64 base,
                                  .param .u64 k, .param .f64 steps_per_ms, .param .f64 dt, .param .u32 zero,
                                  .param .u64 done)
{
  .reg .pred %p<8>;
  .reg .b32 %r<40>;
  .reg .b64 %rd<60>;
  .reg .f64 %fd<6>;
  .shared .u32 last_block;
  ld.param.u64 %rd1, [env];
  ld.param.u64 %rd2, [spikes];
  ld.param.u32 %r1, [nspikes];
  ld.param.u64 %rd3, [samples];
  ld.param.u32 %r2, [nsamples];
  ld.param.u64 %rd4, [counts];
  ld.param.u32 %r3, [npops];
  ld.param.u64 %rd5, [base];
  ld.param.u64 %rd6, [k];
  ld.param.f64 %fd1, [steps_per_ms];
  ld.param.f64 %fd2, [dt];
  ld.param.u32 %r4, [zero];
  ld.param.u64 %rd7, [done];
  mov.u32 %r5, %ctaid.x;
  mov.u32 %r6, %ntid.x;
  mov.u32 %r7, %tid.x;
  mad.lo.u32 %r8, %r5, %r6, %r7;
  mov.u32 %r9, %nctaid.x;
  mul.lo.u32 %r10, %r9, %r6;
  ld.u64 %rd8, [%rd5];
  add.s64 %rd9, %rd8, %rd6;
  add.s64 %rd9, %rd9, 1;
  mov.u32 %r11, %ctaid.y;
  mov.u32 %r32, %nctaid.y;
  mul.lo.u32 %r33, %r9, %r32;
SPIKE_RECORDING:
  setp.ge.u32 %p1, %r11, %r1;
  @%p1 bra SAMPLES;
  mul.wide.u32 %rd10, %r11, 40;
  add.s64 %rd10, %rd2, %rd10;
  ld.u64 %rd11, [%rd10];
  ld.u64 %rd12, [%rd10+8];
  ld.u64 %rd13, [%rd10+16];
  ld.u64 %rd14, [%rd10+24];
  ld.u32 %r12, [%rd10+32];
  ld.u32 %r13, [%rd10+36];
  ld.u32 %r14, [%rd11];
  min.u32 %r14, %r14, %r12;
  cvt.u64.u32 %rd15, %r13;
  mul.lo.s64 %rd15, %rd15, %rd6;
  mov.u32 %r15, %r8;
SPIKE:
  setp.ge.u32 %p2, %r15, %r14;
  @%p2 bra SPIKE_RECORDING_NEXT;
  mul.wide.u32 %rd16, %r15, 4;
  add.s64 %rd17, %rd12, %rd16;
  ld.u32 %r16, [%rd17];
  setp.ge.u32 %p3, %r16, %r12;
  @%p3 bra SPIKE_NEXT;
  setp.eq.s64 %p4, %rd13, 0;
  @%p4 bra BITS;
  add.s64 %rd18, %rd13, %rd16;
  ld.u32 %r17, [%rd18];
  cvt.u64.u32 %rd19, %r16;
  add.s64 %rd19, %rd19, %rd15;
  shl.b64 %rd19, %rd19, 2;
  add.s64 %rd19, %rd14, %rd19;
  atom.add.u32 %r18, [%rd19], %r17;
  bra SPIKE_NEXT;
BITS:
  shr.u32 %r19, %r16, 5;
  cvt.u64.u32 %rd20, %r19;
  add.s64 %rd20, %rd20, %rd15;
  shl.b64 %rd20, %rd20, 2;
  add.s64 %rd20, %rd14, %rd20;
  and.b32 %r20, %r16, 31;
  shl.b32 %r21, 1, %r20;
  atom.or.b32 %r22, [%rd20], %r21;
SPIKE_NEXT:
  add.u32 %r15, %r15, %r10;
  bra SPIKE;
SPIKE_RECORDING_NEXT:
  bra ADVANCE;
SAMPLES:
  sub.u32 %r11, %r11, %r1;
SAMPLE_RECORDING:
  setp.ge.u32 %p1, %r11, %r2;
  @%p1 bra ADVANCE;
  mul.wide.u32 %rd21, %r11, 40;
  add.s64 %rd21, %rd3, %rd21;
  ld.u64 %rd22, [%rd21];
  ld.u64 %rd23, [%rd21+8];
  ld.u64 %rd24, [%rd21+16];
  ld.u64 %rd25, [%rd21+24];
  ld.u32 %r23, [%rd21+32];
  ld.u32 %r24, [%rd21+36];
  rem.u64 %rd26, %rd9, %rd25;
  setp.ne.s64 %p2, %rd26, 0;
  @%p2 bra SAMPLE_RECORDING_NEXT;
  div.u64 %rd27, %rd9, %rd25;
  div.u64 %rd28, %rd8, %rd25;
  sub.s64 %rd27, %rd27, %rd28;
  sub.s64 %rd27, %rd27, 1;
  cvt.u64.u32 %rd29, %r23;
  mul.lo.s64 %rd27, %rd27, %rd29;
  setp.eq.u32 %p3, %r24, 8;
  mov.u32 %r15, %r8;
SAMPLE:
  setp.ge.u32 %p4, %r15, %r23;
  @%p4 bra SAMPLE_RECORDING_NEXT;
  mul.wide.u32 %rd30, %r15, 4;
  add.s64 %rd30, %rd23, %rd30;
  ld.u32 %r25, [%rd30];
  cvt.u64.u32 %rd31, %r25;
  cvt.u64.u32 %rd32, %r15;
  add.s64 %rd32, %rd32, %rd27;
  @%p3 bra WIDE;
  shl.b64 %rd33, %rd31, 2;
  add.s64 %rd33, %rd22, %rd33;
  ld.u32 %r26, [%rd33];
  shl.b64 %rd34, %rd32, 2;
  add.s64 %rd34, %rd24, %rd34;
  st.u32 [%rd34], %r26;
  bra SAMPLE_NEXT;
WIDE:
  shl.b64 %rd33, %rd31, 3;
  add.s64 %rd33, %rd22, %rd33;
  ld.u64 %rd35, [%rd33];
  shl.b64 %rd34, %rd32, 3;
  add.s64 %rd34, %rd24, %rd34;
  st.u64 [%rd34], %rd35;
SAMPLE_NEXT:
  add.u32 %r15, %r15, %r10;
  bra SAMPLE;
SAMPLE_RECORDING_NEXT:
  bra ADVANCE;
ADVANCE:
  mov.u32 %r34, %ctaid.y;
  or.b32 %r35, %r8, %r34;
  setp.ne.u32 %p1, %r35, 0;
  @%p1 bra ZERO;
  st.u64 [%rd1+32], %rd9;
  cvt.rn.f64.u64 %fd3, %rd9;
  setp.gt.f64 %p2, %fd1, 0d0000000000000000;
  @%p2 div.rn.f64 %fd4, %fd3, %fd1;
  @!%p2 mul.rn.f64 %fd4, %fd3, %fd2;
  st.f64 [%rd1+16], %fd4;
ZERO:
  setp.eq.u32 %p1, %r4, 0;
  @%p1 bra DONE;
  bar.sync 0;
  setp.ne.u32 %p2, %r7, 0;
  @%p2 bra WAIT;
  atom.add.u32 %r27, [%rd7], 1;
  sub.u32 %r28, %r33, 1;
  setp.eq.u32 %p3, %r27, %r28;
  selp.u32 %r29, 1, 0, %p3;
  st.shared.u32 [last_block], %r29;
WAIT:
  bar.sync 0;
  ld.shared.u32 %r30, [last_block];
  setp.eq.u32 %p4, %r30, 0;
  @%p4 bra DONE;
  mov.u32 %r31, %r7;
ZERO_COUNT:
  setp.ge.u32 %p5, %r31, %r3;
  @%p5 bra RESET;
  mul.wide.u32 %rd40, %r31, 8;
  add.s64 %rd40, %rd4, %rd40;
  ld.u64 %rd41, [%rd40];
  st.u32 [%rd41], 0;
  add.u32 %r31, %r31, %r6;
  bra ZERO_COUNT;
RESET:
  setp.ne.u32 %p6, %r7, 0;
  @%p6 bra DONE;
  st.u32 [%rd7], 0;
DONE:
  ret;
}
)PTX";

}  // namespace gennc::runtime::cuda
