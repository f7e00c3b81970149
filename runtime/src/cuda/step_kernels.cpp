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

.visible .entry gennc_record_spikes(.param .u64 env, .param .u64 count, .param .u64 list, .param .u32 size,
                                    .param .u64 bits, .param .u32 words, .param .u64 base)
{
  .reg .pred %p<3>;
  .reg .b32 %r<16>;
  .reg .b64 %rd<16>;
  ld.param.u64 %rd1, [env];
  ld.param.u64 %rd2, [count];
  ld.param.u64 %rd3, [list];
  ld.param.u32 %r1, [size];
  ld.param.u64 %rd4, [bits];
  ld.param.u32 %r2, [words];
  ld.param.u64 %rd5, [base];
  ld.u32 %r3, [%rd2];
  min.u32 %r3, %r3, %r1;
  ld.u64 %rd6, [%rd1+32];
  ld.u64 %rd7, [%rd5];
  sub.s64 %rd6, %rd6, %rd7;
  cvt.u64.u32 %rd8, %r2;
  mul.lo.s64 %rd6, %rd6, %rd8;
  mov.u32 %r4, %ctaid.x;
  mov.u32 %r5, %ntid.x;
  mov.u32 %r6, %tid.x;
  mad.lo.u32 %r7, %r4, %r5, %r6;
  mov.u32 %r8, %nctaid.x;
  mul.lo.u32 %r9, %r8, %r5;
LOOP:
  setp.ge.u32 %p1, %r7, %r3;
  @%p1 bra DONE;
  mul.wide.u32 %rd9, %r7, 4;
  add.s64 %rd10, %rd3, %rd9;
  ld.u32 %r10, [%rd10];
  setp.ge.u32 %p2, %r10, %r1;
  @%p2 bra NEXT;
  shr.u32 %r11, %r10, 5;
  cvt.u64.u32 %rd11, %r11;
  add.s64 %rd11, %rd11, %rd6;
  shl.b64 %rd11, %rd11, 2;
  add.s64 %rd12, %rd4, %rd11;
  and.b32 %r12, %r10, 31;
  shl.b32 %r13, 1, %r12;
  atom.or.b32 %r14, [%rd12], %r13;
NEXT:
  add.u32 %r7, %r7, %r9;
  bra LOOP;
DONE:
  ret;
}

.visible .entry gennc_advance(.param .u64 env, .param .f64 steps_per_ms, .param .f64 dt)
{
  .reg .pred %p<2>;
  .reg .b64 %rd<4>;
  .reg .f64 %fd<6>;
  ld.param.u64 %rd1, [env];
  ld.param.f64 %fd1, [steps_per_ms];
  ld.param.f64 %fd2, [dt];
  ld.u64 %rd2, [%rd1+32];
  add.s64 %rd2, %rd2, 1;
  st.u64 [%rd1+32], %rd2;
  cvt.rn.f64.u64 %fd3, %rd2;
  setp.gt.f64 %p1, %fd1, 0d0000000000000000;
  @%p1 div.rn.f64 %fd4, %fd3, %fd1;
  @!%p1 mul.rn.f64 %fd4, %fd3, %fd2;
  st.f64 [%rd1+16], %fd4;
  ret;
}

.visible .entry gennc_sample(.param .u64 env, .param .u64 source, .param .u64 indices, .param .u32 n,
                             .param .u64 samples, .param .u64 interval, .param .u64 base, .param .u32 bytes)
{
  .reg .pred %p<4>;
  .reg .b32 %r<16>;
  .reg .b64 %rd<24>;
  ld.param.u64 %rd1, [env];
  ld.param.u64 %rd2, [source];
  ld.param.u64 %rd3, [indices];
  ld.param.u32 %r1, [n];
  ld.param.u64 %rd4, [samples];
  ld.param.u64 %rd5, [interval];
  ld.param.u64 %rd6, [base];
  ld.param.u32 %r2, [bytes];
  ld.u64 %rd7, [%rd1+32];
  rem.u64 %rd8, %rd7, %rd5;
  setp.ne.s64 %p1, %rd8, 0;
  @%p1 bra DONE;
  div.u64 %rd9, %rd7, %rd5;
  ld.u64 %rd10, [%rd6];
  div.u64 %rd11, %rd10, %rd5;
  sub.s64 %rd9, %rd9, %rd11;
  sub.s64 %rd9, %rd9, 1;
  cvt.u64.u32 %rd12, %r1;
  mul.lo.s64 %rd9, %rd9, %rd12;
  setp.eq.u32 %p2, %r2, 8;
  mov.u32 %r4, %ctaid.x;
  mov.u32 %r5, %ntid.x;
  mov.u32 %r6, %tid.x;
  mad.lo.u32 %r7, %r4, %r5, %r6;
  mov.u32 %r8, %nctaid.x;
  mul.lo.u32 %r9, %r8, %r5;
LOOP:
  setp.ge.u32 %p3, %r7, %r1;
  @%p3 bra DONE;
  mul.wide.u32 %rd13, %r7, 4;
  add.s64 %rd14, %rd3, %rd13;
  ld.u32 %r10, [%rd14];
  cvt.u64.u32 %rd15, %r10;
  cvt.u64.u32 %rd16, %r7;
  add.s64 %rd16, %rd16, %rd9;
  @%p2 bra WIDE;
  shl.b64 %rd17, %rd15, 2;
  add.s64 %rd17, %rd2, %rd17;
  ld.u32 %r11, [%rd17];
  shl.b64 %rd18, %rd16, 2;
  add.s64 %rd18, %rd4, %rd18;
  st.u32 [%rd18], %r11;
  bra NEXT;
WIDE:
  shl.b64 %rd17, %rd15, 3;
  add.s64 %rd17, %rd2, %rd17;
  ld.u64 %rd19, [%rd17];
  shl.b64 %rd18, %rd16, 3;
  add.s64 %rd18, %rd4, %rd18;
  st.u64 [%rd18], %rd19;
NEXT:
  add.u32 %r7, %r7, %r9;
  bra LOOP;
DONE:
  ret;
}
)PTX";

}  // namespace gennc::runtime::cuda
