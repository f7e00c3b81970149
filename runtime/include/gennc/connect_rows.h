/* Row generators for the connectors whose rows are independent of each other, shared by
 * the host (runtime/src/connect.cpp), the device initialisation library (runtime/device/)
 * and procedural connectivity (delivery kernels that regenerate a spike's row instead of
 * storing it).
 *
 * One implementation for every target, so the CPU and the GPU build bitwise-identical
 * connectivity: plain C99 (and C++), <stdint.h> and gennc/random.h only, every function
 * static inline, arithmetic only in basic IEEE operations (+ - * /, floor, comparisons).
 * libm's log is not used: glibc and libdevice may differ by an ulp, which would move a
 * geometric gap floor(log(u) / log(q)) now and then; gennc_det_log below gives the same
 * bits everywhere as long as no multiply-add is fused (build with -ffp-contract=off).
 *
 * Supported kinds: GENNC_CONNECT_ALL_TO_ALL, _ONE_TO_ONE, _FIXED_PROBABILITY and
 * _FIXED_NUMBER_POST (with or without replacement).
 *
 * Indices. A row is one neuron of the projection's pre selection. The caller passes
 *   local_pre  the row's position in the pre selection (ONE_TO_ONE connects it to the same
 *              position of the post selection);
 *   row_index  the pre neuron's population index: the `index` of the row's random draws;
 *   excluded   the position in the post selection that this row must not connect to (the
 *              pre neuron itself when pre and post are the same population and self
 *              connections are not allowed), or GENNC_ROW_NONE.
 * The generator returns positions in the post selection; mapping them to population
 * indices (and sorting a row by them, as the CSR arrays are) is the caller's business.
 *
 * Usage:
 *   GenncRowConnector c;
 *   if (gennc_row_connector_init(&c, kind, seed, stream, n_post, params[0], with_replacement))
 *     ... invalid parameters (connect.cpp reports them) ...
 *   GenncRowCursor cur;
 *   gennc_row_begin(&c, local_pre, row_index, excluded, &cur);
 *   gennc_row_limit(&c, &cur, lo, hi);  (optional: only the post positions [lo, hi))
 *   for (uint32_t j; (j = gennc_row_next(&c, &cur, row_out)) != GENNC_ROW_END;) row_out[cur.emitted - 1] = j;
 *
 * gennc_row_next's `emitted` argument: FIXED_NUMBER_POST without replacement (Floyd's
 * algorithm) must know the positions this row has returned so far, in order, and checks a
 * new pick against them by scanning (O(n^2) per row); every other kind ignores it (pass
 * null). A procedural kernel can therefore regenerate any row without storage except for
 * fixed_number_post without replacement, which needs the row's earlier picks.
 *
 * Draw addresses (docs/runtime.md): stream = the connector's stream, index = row_index,
 * draw t:
 *   FIXED_PROBABILITY  per post block: the post selection is cut into blocks of
 *                      GENNC_ROW_BLOCK positions and the row's gaps restart at each block,
 *                      at step = the block's number. Draw t of block b is a uniform u giving
 *                      the gap to the t-th connected candidate of the block,
 *                      1 + floor(log(u) / log(1 - p)) (geometric), counted from the
 *                      block's start; a gap past the block's end moves on to the next
 *                      block, and the row ends at the first candidate beyond n_post. A gap
 *                      landing on `excluded` is skipped. Blocks do not depend on how the
 *                      post neurons are split over processes (docs/distributed.md), so a
 *                      process owning some post neurons generates only their blocks with
 *                      the draws one process makes for them.
 *   FIXED_NUMBER_POST  step 0
 *   FIXED_NUMBER_POST  draw t is the t-th pick among m = n_post (- 1 with an exclusion)
 *                      candidates: with replacement uniform_int(0, m - 1); without, Floyd:
 *                      uniform_int(0, m - n + t), taking m - n + t instead when already
 *                      picked. A pick at or beyond `excluded` is moved up by one. */
#ifndef GENNC_CONNECT_ROWS_H
#define GENNC_CONNECT_ROWS_H

#include <stdint.h>

#include "gennc/model_abi.h"
#include "gennc/random.h"

#ifdef __cplusplus
extern "C" {
#endif

/* `excluded` when nothing is excluded; gennc_row_next's end-of-row marker. */
#define GENNC_ROW_NONE 0xFFFFFFFFu
#define GENNC_ROW_END 0xFFFFFFFFu
/* Post positions per block of FIXED_PROBABILITY's draws; part of the streams' definition. */
#define GENNC_ROW_BLOCK 1024u

/* ---- Deterministic logarithm --------------------------------------------------------- */

/* log(1 + f) for f in [sqrt(1/2) - 1, sqrt(2) - 1]: 2 atanh(s) with s = f / (2 + f), as the
 * series 2 s (1 + z/3 + z^2/5 + ...), z = s^2 <= 0.0295; 13 terms reach 1e-20. */
GENNC_RNG_FN double gennc_det_log1p_reduced(double f) {
  double s = f / (2.0 + f);
  double z = s * s;
  double r = 1.0 / 27.0;
  r = 1.0 / 25.0 + z * r;
  r = 1.0 / 23.0 + z * r;
  r = 1.0 / 21.0 + z * r;
  r = 1.0 / 19.0 + z * r;
  r = 1.0 / 17.0 + z * r;
  r = 1.0 / 15.0 + z * r;
  r = 1.0 / 13.0 + z * r;
  r = 1.0 / 11.0 + z * r;
  r = 1.0 / 9.0 + z * r;
  r = 1.0 / 7.0 + z * r;
  r = 1.0 / 5.0 + z * r;
  r = 1.0 / 3.0 + z * r;
  return 2.0 * s + 2.0 * s * (z * r);
}

/* Natural logarithm of a positive finite x (0 gives -inf-like garbage; callers never pass
 * it), within a few ulp, bit-identical on every IEEE target: x = 2^k m with m in
 * [sqrt(1/2), sqrt(2)), log x = k ln2 + log(1 + (m - 1)), m - 1 exact. ln 2 is split
 * (fdlibm's ln2_hi has trailing zeros, so k * ln2_hi is exact). */
GENNC_RNG_FN double gennc_det_log(double x) {
  uint64_t bits;
  int k = 0;
  double m;
  if (x < 2.2250738585072014e-308) { /* subnormal: scale into the normal range first */
    x *= 18014398509481984.0;        /* 2^54 */
    k = -54;
  }
  __builtin_memcpy(&bits, &x, sizeof bits);
  k += (int)((bits >> 52) & 0x7FF) - 1023;
  bits = (bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull; /* m in [1, 2) */
  __builtin_memcpy(&m, &bits, sizeof m);
  if (m > 1.4142135623730951) {
    m *= 0.5;
    k += 1;
  }
  return (double)k * 6.93147180369123816490e-01 +
         (gennc_det_log1p_reduced(m - 1.0) + (double)k * 1.90821492927058770002e-10);
}

/* log(1 + x) for x > -1; exact argument for x near 0 (no rounding of 1 + x). */
GENNC_RNG_FN double gennc_det_log1p(double x) {
  if (x >= -0.29289321881345248 && x <= 0.41421356237309503) return gennc_det_log1p_reduced(x);
  return gennc_det_log(1.0 + x);
}

/* ---- Row generators ------------------------------------------------------------------ */

/* How a connector's rows are generated; constant over a projection. */
typedef struct GenncRowConnector {
  uint64_t seed;
  uint32_t kind;   /* GENNC_CONNECT_ALL_TO_ALL, _ONE_TO_ONE, _FIXED_PROBABILITY, _FIXED_NUMBER_POST */
  uint32_t stream; /* the connector's random stream */
  uint32_t n_post; /* size of the post selection */
  uint32_t number; /* FIXED_NUMBER_POST: picks per row */
  uint32_t with_replacement;
  uint32_t empty;  /* FIXED_PROBABILITY with p = 0 */
  double log_q;    /* FIXED_PROBABILITY: log(1 - p) */
} GenncRowConnector;

/* Where one row's generation stands. `emitted` counts the positions returned so far. */
typedef struct GenncRowCursor {
  uint32_t local_pre;
  uint32_t row_index;
  uint32_t excluded;
  uint32_t emitted;
  uint32_t draw;      /* the next draw number (FIXED_PROBABILITY); FIXED_NUMBER_POST: the next pick */
  uint32_t m;         /* FIXED_NUMBER_POST: candidates after the exclusion */
  uint32_t block;     /* FIXED_PROBABILITY: the post block being generated */
  uint32_t lo, hi;    /* the post positions [lo, hi) the row is limited to (gennc_row_limit) */
  double position;    /* ALL_TO_ALL: the next candidate; FIXED_PROBABILITY: the last one */
} GenncRowCursor;

/* Fills `c` for a connector; `param` is GenncConnector.params[0] (p or n). Returns 0, or 1
 * when the kind is not a row connector or the parameter is invalid (p outside [0, 1], n not
 * a whole number >= 0 or above 2^32 - 1). fixed_probability with p = 1 becomes all_to_all
 * (the same synapses, no draws). */
GENNC_RNG_FN int gennc_row_connector_init(GenncRowConnector* c, uint32_t kind, uint64_t seed,
                                          uint32_t stream, uint32_t n_post, double param,
                                          int with_replacement) {
  c->seed = seed;
  c->kind = kind;
  c->stream = stream;
  c->n_post = n_post;
  c->number = 0;
  c->with_replacement = with_replacement ? 1u : 0u;
  c->empty = 0;
  c->log_q = 0.0;
  switch (kind) {
    case GENNC_CONNECT_ALL_TO_ALL:
    case GENNC_CONNECT_ONE_TO_ONE:
      return 0;
    case GENNC_CONNECT_FIXED_PROBABILITY:
      if (!(param >= 0.0 && param <= 1.0)) return 1;
      if (param == 1.0) c->kind = GENNC_CONNECT_ALL_TO_ALL;
      else if (param == 0.0) c->empty = 1;
      else c->log_q = gennc_det_log1p(-param);
      return 0;
    case GENNC_CONNECT_FIXED_NUMBER_POST:
      if (!(param >= 0.0 && param <= 4294967295.0) || param != __builtin_floor(param)) return 1;
      c->number = (uint32_t)param;
      return 0;
    default:
      return 1;
  }
}

/* Candidates of a row after the exclusion. */
GENNC_RNG_FN uint32_t gennc_row_candidates(const GenncRowConnector* c, uint32_t excluded) {
  return c->n_post - (excluded != GENNC_ROW_NONE && excluded < c->n_post ? 1u : 0u);
}

/* Whether FIXED_NUMBER_POST without replacement can pick `number` distinct candidates in a
 * row with this exclusion (1), and with replacement that some candidate exists when a pick
 * is needed. Other kinds: always 1. */
GENNC_RNG_FN int gennc_row_feasible(const GenncRowConnector* c, uint32_t excluded) {
  uint32_t m;
  if (c->kind != GENNC_CONNECT_FIXED_NUMBER_POST) return 1;
  m = gennc_row_candidates(c, excluded);
  return c->with_replacement ? (m > 0 || c->number == 0) : c->number <= m;
}

GENNC_RNG_FN void gennc_row_begin(const GenncRowConnector* c, uint32_t local_pre, uint32_t row_index,
                                  uint32_t excluded, GenncRowCursor* cur) {
  cur->local_pre = local_pre;
  cur->row_index = row_index;
  cur->excluded = excluded;
  cur->emitted = 0;
  cur->draw = 0;
  cur->m = gennc_row_candidates(c, excluded);
  cur->block = 0;
  cur->lo = 0;
  cur->hi = c->n_post;
  cur->position = c->kind == GENNC_CONNECT_FIXED_PROBABILITY ? -1.0 : 0.0;
}

/* FIXED_PROBABILITY: moves a begun row's cursor to the start of post block `block`, so
 * that gennc_row_next gives the row's positions from block x GENNC_ROW_BLOCK on, the same
 * as generating the whole row would: a process owning only some post neurons generates
 * only their blocks. */
GENNC_RNG_FN void gennc_row_seek_block(GenncRowCursor* cur, uint32_t block) {
  cur->block = block;
  cur->draw = 0;
  cur->position = (double)block * (double)GENNC_ROW_BLOCK - 1.0;
}

/* Limits a begun row to the post positions [lo, hi): gennc_row_next then gives the row's
 * positions there, the same as generating the whole row and keeping them would, and
 * generates only what reaches them (ALL_TO_ALL from lo; FIXED_PROBABILITY from lo's block,
 * ending before hi's; FIXED_NUMBER_POST still draws all n picks, keeping those in range). A
 * process owning a range of the post neurons generates only that part of each row. Not for
 * FIXED_NUMBER_POST without replacement, whose repeat check needs every earlier pick
 * (callers keeping their own set of picks filter them). */
GENNC_RNG_FN void gennc_row_limit(const GenncRowConnector* c, GenncRowCursor* cur, uint32_t lo, uint32_t hi) {
  cur->lo = lo;
  cur->hi = hi < c->n_post ? hi : c->n_post;
  if (c->kind == GENNC_CONNECT_ALL_TO_ALL) cur->position = (double)lo;
  else if (c->kind == GENNC_CONNECT_FIXED_PROBABILITY && lo < cur->hi) gennc_row_seek_block(cur, lo / GENNC_ROW_BLOCK);
}

/* A pick of FIXED_NUMBER_POST moved past the excluded position: a one-to-one map, so
 * comparing positions compares picks. */
GENNC_RNG_FN uint32_t gennc_row_skip(const GenncRowCursor* cur, uint32_t pick) {
  return cur->excluded != GENNC_ROW_NONE && pick >= cur->excluded ? pick + 1 : pick;
}

/* FIXED_NUMBER_POST: the position drawn for pick t = cur->draw, before Floyd's rule. */
GENNC_RNG_FN uint32_t gennc_row_pick(const GenncRowConnector* c, const GenncRowCursor* cur) {
  uint32_t t = cur->draw;
  double top = c->with_replacement ? (double)cur->m - 1.0 : (double)(cur->m - c->number + t);
  return gennc_row_skip(cur, (uint32_t)gennc_rng_uniform_int(c->seed, c->stream, 0, cur->row_index, t, 0.0, top));
}

/* FIXED_NUMBER_POST without replacement: Floyd's choice when pick t repeats an earlier one,
 * the position of candidate m - n + t (never picked before). Callers that keep their own
 * set of picks (the host, with a hash set) use gennc_row_pick and this, and advance
 * cur->draw themselves, instead of gennc_row_next's scan. */
GENNC_RNG_FN uint32_t gennc_row_floyd_top(const GenncRowConnector* c, const GenncRowCursor* cur) {
  return gennc_row_skip(cur, cur->m - c->number + cur->draw);
}

/* The next post position of the row, or GENNC_ROW_END. For FIXED_NUMBER_POST the row must
 * be feasible (gennc_row_feasible). */
GENNC_RNG_FN uint32_t gennc_row_next(const GenncRowConnector* c, GenncRowCursor* cur,
                                     const uint32_t* emitted) {
  switch (c->kind) {
    case GENNC_CONNECT_ALL_TO_ALL: {
      uint32_t j = (uint32_t)cur->position;
      if (j == cur->excluded) ++j;
      if (j >= cur->hi) return GENNC_ROW_END;
      cur->position = (double)j + 1.0;
      ++cur->emitted;
      return j;
    }
    case GENNC_CONNECT_ONE_TO_ONE:
      if (cur->emitted > 0 || cur->local_pre < cur->lo || cur->local_pre >= cur->hi) return GENNC_ROW_END;
      cur->emitted = 1;
      return cur->local_pre;
    case GENNC_CONNECT_FIXED_PROBABILITY:
      if (c->empty || cur->lo >= cur->hi) return GENNC_ROW_END;
      for (;;) {
        double block_end = ((double)cur->block + 1.0) * (double)GENNC_ROW_BLOCK;
        double u = gennc_rng_uniform01(c->seed, c->stream, cur->block, cur->row_index, cur->draw++);
        cur->position += 1.0 + __builtin_floor(gennc_det_log(u) / c->log_q);
        /* Past its block, the row goes on in the next block, which starts afresh before its
         * first candidate; past the last one (or the range's end) it has ended, and stays
         * ended (gaps are at least 1). */
        if (cur->position >= block_end) {
          if (block_end >= (double)cur->hi) return GENNC_ROW_END;
          ++cur->block;
          cur->draw = 0;
          cur->position = block_end - 1.0;
          continue;
        }
        if (cur->position >= (double)cur->hi) return GENNC_ROW_END;
        /* Positions of the range's first block before it are drawn, not given. */
        if ((uint32_t)cur->position != cur->excluded && cur->position >= (double)cur->lo) {
          ++cur->emitted;
          return (uint32_t)cur->position;
        }
      }
    case GENNC_CONNECT_FIXED_NUMBER_POST:
      while (cur->draw < c->number) {
        uint32_t position = gennc_row_pick(c, cur), s;
        if (!c->with_replacement)
          for (s = 0; s < cur->emitted; ++s)
            if (emitted[s] == position) {
              position = gennc_row_floyd_top(c, cur);
              break;
            }
        ++cur->draw;
        if (position >= cur->lo && position < cur->hi) {
          ++cur->emitted;
          return position;
        }
      }
      return GENNC_ROW_END;
    default:
      return GENNC_ROW_END;
  }
}

/* The number of synapses of a row (generating it for FIXED_PROBABILITY). Not for
 * FIXED_NUMBER_POST without a feasible row. */
GENNC_RNG_FN uint32_t gennc_row_length(const GenncRowConnector* c, uint32_t local_pre, uint32_t row_index,
                                       uint32_t excluded) {
  GenncRowCursor cur;
  switch (c->kind) {
    case GENNC_CONNECT_ALL_TO_ALL: return gennc_row_candidates(c, excluded);
    case GENNC_CONNECT_ONE_TO_ONE: return local_pre < c->n_post ? 1u : 0u;
    case GENNC_CONNECT_FIXED_NUMBER_POST: return c->number;
    default: break;
  }
  gennc_row_begin(c, local_pre, row_index, excluded, &cur);
  while (gennc_row_next(c, &cur, 0) != GENNC_ROW_END) {
  }
  return cur.emitted;
}

/* ---- fixed_total_number with replacement ---------------------------------------------- */

/* The rows' shares are drawn in row order, each from what the rows before it left: row
 * `row_index` with `m` candidates takes Binomial(left, m / pairs_left) of the `left`
 * synapses still to place, where pairs_left counts the candidates of this row and every
 * later one (draw 0 of the row). Sequential, but one draw per row. */
GENNC_RNG_FN uint64_t gennc_total_number_share(uint64_t seed, uint32_t stream, uint32_t row_index, uint64_t left,
                                               uint64_t m, uint64_t pairs_left) {
  double share = (double)m / (double)pairs_left;
  uint64_t k = (uint64_t)gennc_rng_binomial(seed, stream, 0, row_index, 0, (double)left, share);
  return k < left ? k : left;
}

/* Then pick t of the row (draw t + 1): a position among its m candidates, moved past
 * `excluded` (GENNC_ROW_NONE: nothing excluded). Rows are independent. */
GENNC_RNG_FN uint32_t gennc_total_number_pick(uint64_t seed, uint32_t stream, uint32_t row_index, uint32_t t,
                                              uint32_t m, uint32_t excluded) {
  uint32_t pick = (uint32_t)gennc_rng_uniform_int(seed, stream, 0, row_index, t + 1, 0.0, (double)m - 1.0);
  return excluded != GENNC_ROW_NONE && pick >= excluded ? pick + 1 : pick;
}

#ifdef __cplusplus
}
#endif

#endif /* GENNC_CONNECT_ROWS_H */
