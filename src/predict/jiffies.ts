// Kernel time units and the timer wheel, as far as they shape when a TCP timer really fires.
//
// TCP's retransmission and keepalive timers are `timer_list` timers. Their delay is kept in
// jiffies (1/HZ s), and since Linux 4.8 the timer wheel does not cascade: a timer is filed in
// a level whose granularity grows with its delay, and its expiry is rounded UP to that level's
// granularity so that it never fires early. A long timer therefore fires noticeably late:
// a 1 s timer on a HZ=250 kernel fires between 1004 and 1032 ms after it was armed.
// See kernel/time/timer.c (calc_wheel_index, calc_index) and include/linux/jiffies.h.

/** Bits per level shift: each level is 2^3 = 8 times coarser than the one below it. */
const LVL_CLK_SHIFT = 3;
/** Buckets per level: 2^6 = 64. */
const LVL_BITS = 6;
const LVL_SIZE = 1 << LVL_BITS;
/** Levels of the wheel when HZ > 100 (LVL_DEPTH); delays beyond the last one are capped. */
const LVL_DEPTH = 9;

/** Float noise guard: 1000 / 300 * 3 must count as exactly 10 jiffies, not 11. */
const EPSILON = 1e-9;

/** msecs_to_jiffies: a delay in ms rounded UP to whole jiffies (0 stays 0). */
export function msToJiffies(ms: number, hz: number): number {
  if (ms <= 0) return 0;
  return Math.ceil((ms * hz) / 1000 - EPSILON);
}

/** jiffies_to_msecs, kept fractional (at HZ=300 a jiffy is 3.33 ms). */
export function jiffiesToMs(jiffies: number, hz: number): number {
  return (jiffies * 1000) / hz;
}

/**
 * LVL_START(n): the smallest delta (in jiffies) filed at level n, i.e. (64 - 1) << 3(n - 1).
 * Level 0 takes delta < 63, level 1 delta < 63 << 3 = 504, level 2 delta < 63 << 6, ...
 */
function levelStart(level: number): number {
  return (LVL_SIZE - 1) * 2 ** (LVL_CLK_SHIFT * (level - 1));
}

/** levelStart of each level above 0, and each level's granularity: computed once (the ICMP
 * writer's prediction asks for them hundreds of thousands of times). */
const LEVEL_STARTS = Array.from({ length: LVL_DEPTH }, (_, level) => levelStart(level));
const GRANULARITIES = Array.from({ length: LVL_DEPTH }, (_, level) => 2 ** (LVL_CLK_SHIFT * level));

/** The wheel level a timer `deltaJiffies` ahead is filed in (calc_wheel_index). */
export function wheelLevel(deltaJiffies: number): number {
  let level = 0;
  while (level < LVL_DEPTH - 1 && deltaJiffies >= LEVEL_STARTS[level + 1]) level++;
  return level;
}

/** LVL_GRAN(n): the granularity of level n in jiffies, 8^n. */
export function wheelGranularity(level: number): number {
  return GRANULARITIES[level] ?? 2 ** (LVL_CLK_SHIFT * level);
}

/**
 * Expected real delay (ms) of a timer armed for `delayMs` on a kernel with the given HZ.
 *
 * The delay is first rounded up to whole jiffies, then the wheel rounds the expiry up to the
 * next multiple of its level's granularity. Where the expiry falls inside a granule is
 * effectively random, so on average the timer fires gran/2 jiffies late, and at most a whole
 * granule late: at HZ=250, 1000 ms = 250 jiffies, level 1, granularity 8 jiffies = 32 ms,
 * so ~1016 ms expected and at most 1032 ms.
 */
export function timerDelayMs(delayMs: number, hz: number): number {
  const jiffies = msToJiffies(delayMs, hz);
  const gran = wheelGranularity(wheelLevel(jiffies));
  return jiffiesToMs(jiffies + gran / 2, hz);
}

/** The latest a timer armed for `delayMs` can fire: a whole granule after its expiry. */
export function timerMaxDelayMs(delayMs: number, hz: number): number {
  const jiffies = msToJiffies(delayMs, hz);
  return jiffiesToMs(jiffies + wheelGranularity(wheelLevel(jiffies)), hz);
}
