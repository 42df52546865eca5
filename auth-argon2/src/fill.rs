//! Filling the memory: passes, slices, segments and the choice of reference blocks
//! (RFC 9106, sections 3.2 and 3.4).
//!
//! The memory is `lanes × 4` segments, lane after lane. During slice `s`, lane `l` writes
//! only its segment `(l, s)` and reads only its own earlier blocks and other lanes'
//! segments of other slices, so each lane gets its segment as `&mut` and everything else
//! through a shared [`View`]; lanes can then run on threads without any `unsafe`.
//!
//! With more than one thread, the threads are started once per hash and meet at a
//! [`SliceBarrier`] after every slice, instead of being started for every slice: starting
//! and joining a thread costs tens to hundreds of microseconds, a barrier a few, and a
//! hash has `4 t` slices. The calling thread starts them and waits: when it computed a
//! lane itself and had just been woken by another thread (a Tokio blocking thread woken
//! by the task awaiting the hash, as in `auth-core`'s hasher), Linux often kept both
//! lanes on one CPU for the whole hash, taking turns, while the other CPU idled (measured
//! in docs/benchmarks.md); with every lane on a thread of its own they run side by side.
//!
//! Each segment sits behind its own `RwLock`, which is how the borrow checker learns
//! that a segment is written by one thread while the others only read other slices'
//! segments; the barrier guarantees that the locks are never contended (a thread only
//! takes them between two barriers).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use crate::block::Block;
use crate::compress::{Implementation, compress, prefetch};
use crate::{Algorithm, Version};

/// Number of slices (synchronisation points) per pass.
pub(crate) const SLICES: usize = 4;
/// How long a thread that reached a [`SliceBarrier`] early spins before it sleeps.
const SPIN: Duration = Duration::from_micros(100);
/// Number of pseudo-random addresses in one address block.
const ADDRESSES_PER_BLOCK: usize = 128;

/// The shape of one computation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    pub(crate) algorithm: Algorithm,
    pub(crate) version: Version,
    pub(crate) implementation: Implementation,
    pub(crate) lanes: usize,
    pub(crate) lane_len: usize,
    pub(crate) segment_len: usize,
    pub(crate) passes: u32,
}

impl Shape {
    fn blocks(&self) -> usize {
        self.lanes * self.lane_len
    }
}

/// Read access to every segment except those of the slice being computed.
struct View<'a> {
    /// Segment `lane * 4 + slice`; empty for the segments of the current slice.
    segments: Vec<&'a [Block]>,
    segment_len: usize,
}

impl View<'_> {
    /// Block `index` of `lane`. Panics if it belongs to the slice being computed, which
    /// the reference selection never picks.
    fn block(&self, lane: usize, index: usize) -> &Block {
        // `index / segment_len` without a division (SLICES is 4): three comparisons.
        let n = self.segment_len;
        let slice =
            usize::from(index >= n) + usize::from(index >= 2 * n) + usize::from(index >= 3 * n);
        &self.segments[lane * SLICES + slice][index - slice * n]
    }
}

/// Runs every pass over `memory` (whose first two blocks of each lane are set), on up to
/// `threads` threads (never more than there are lanes).
///
/// # Errors
/// [`crate::Error::Thread`] if a lane's thread panicked.
pub(crate) fn fill(memory: &mut [Block], shape: &Shape, threads: usize) -> crate::Result<()> {
    let threads = threads.clamp(1, shape.lanes);
    if threads == 1 {
        fill_on_this_thread(memory, shape);
        return Ok(());
    }
    let segments: Vec<RwLock<&mut [Block]>> = memory
        .chunks_exact_mut(shape.segment_len)
        .map(RwLock::new)
        .collect();
    let barrier = SliceBarrier::new(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|worker| {
                let (segments, barrier) = (&segments, &barrier);
                scope.spawn(move || fill_lanes(shape, worker, threads, segments, barrier))
            })
            .collect();
        // Every thread is joined before the outcome is decided (a lane thread that
        // panicked and was never joined would make the scope panic).
        let outcomes: Vec<crate::Result<()>> = workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .map_err(|_| crate::Error::Thread)
                    .and_then(|r| r)
            })
            .collect();
        outcomes.into_iter().collect()
    })
}

/// Every pass, lane after lane, on the calling thread.
fn fill_on_this_thread(memory: &mut [Block], shape: &Shape) {
    let mut segments: Vec<&mut [Block]> = memory.chunks_exact_mut(shape.segment_len).collect();
    for pass in 0..shape.passes {
        for slice in 0..SLICES {
            let mut mine: Vec<&mut [Block]> = Vec::with_capacity(shape.lanes);
            let mut others: Vec<&[Block]> = Vec::with_capacity(segments.len());
            for (i, segment) in segments.iter_mut().enumerate() {
                if i % SLICES == slice {
                    mine.push(&mut **segment);
                    others.push(&[]);
                } else {
                    others.push(&**segment);
                }
            }
            let view = View {
                segments: others,
                segment_len: shape.segment_len,
            };
            for (lane, segment) in mine.into_iter().enumerate() {
                fill_segment(shape, Position { pass, lane, slice }, segment, &view);
            }
        }
    }
}

/// One thread's share of the work: lanes `worker`, `worker + threads`, ... of every slice
/// of every pass, meeting the other threads at `barrier` after each slice.
///
/// # Errors
/// [`crate::Error::Thread`] if another thread failed or panicked (it broke the barrier).
fn fill_lanes(
    shape: &Shape,
    worker: usize,
    threads: usize,
    segments: &[RwLock<&mut [Block]>],
    barrier: &SliceBarrier,
) -> crate::Result<()> {
    // Breaks the barrier if this thread stops early (an error or a panic), so that the
    // others stop too instead of waiting for it for ever.
    let mut participant = Participant {
        barrier,
        finished: false,
    };
    for pass in 0..shape.passes {
        for slice in 0..SLICES {
            {
                // Between two barriers nobody writes another slice's segments and each
                // segment of this slice has one writer, so no lock below ever waits.
                let reading: Vec<Option<RwLockReadGuard<'_, &mut [Block]>>> = segments
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (i % SLICES != slice).then(|| s.read()).transpose())
                    .collect::<Result<_, _>>()
                    .map_err(poisoned)?;
                let view = View {
                    segments: reading
                        .iter()
                        .map(|guard| guard.as_deref().map_or(&[][..], |s| &**s))
                        .collect(),
                    segment_len: shape.segment_len,
                };
                for lane in (worker..shape.lanes).step_by(threads) {
                    let mut segment = segments[lane * SLICES + slice].write().map_err(poisoned)?;
                    fill_segment(shape, Position { pass, lane, slice }, &mut segment, &view);
                }
            }
            barrier.wait()?;
        }
    }
    participant.finished = true;
    Ok(())
}

/// A lock poisoned by a thread that panicked.
fn poisoned<T>(_: PoisonError<T>) -> crate::Error {
    crate::Error::Thread
}

/// A thread taking part in a [`SliceBarrier`]; breaks it when dropped unfinished.
struct Participant<'a> {
    barrier: &'a SliceBarrier,
    finished: bool,
}

impl Drop for Participant<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.barrier.break_off();
        }
    }
}

/// The meeting point of a hash's threads after every slice. Unlike `std::sync::Barrier`
/// it can be broken: a thread that fails or panics breaks it, and every thread waiting or
/// arriving later gets an error instead of waiting for ever.
#[derive(Debug)]
struct SliceBarrier {
    threads: usize,
    state: Mutex<BarrierState>,
    changed: Condvar,
    /// [`BarrierState::generation`], readable without the lock by spinning threads.
    generation: AtomicU64,
}

#[derive(Debug)]
struct BarrierState {
    /// Threads that have arrived in this generation.
    arrived: usize,
    /// How many times every thread has arrived.
    generation: u64,
    broken: bool,
}

impl SliceBarrier {
    fn new(threads: usize) -> Self {
        Self {
            threads,
            state: Mutex::new(BarrierState {
                arrived: 0,
                generation: 0,
                broken: false,
            }),
            changed: Condvar::new(),
            generation: AtomicU64::new(0),
        }
    }

    /// Waits until every thread has arrived.
    ///
    /// A thread that arrives early first spins for up to [`SPIN`] (the lanes of a slice
    /// take the same work, so the others are usually microseconds away), then sleeps.
    /// Sleeping at once cost a wake-up per slice, tens of microseconds on an idle virtual
    /// CPU: at 7–12 MiB (12–20 slices of a few hundred microseconds) that took most of
    /// the second thread's gain (docs/benchmarks.md).
    ///
    /// # Errors
    /// [`crate::Error::Thread`] if the barrier is or gets broken first.
    fn wait(&self) -> crate::Result<()> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.broken {
            return Err(crate::Error::Thread);
        }
        state.arrived += 1;
        if state.arrived == self.threads {
            state.arrived = 0;
            state.generation += 1;
            self.generation.store(state.generation, Ordering::Release);
            drop(state);
            self.changed.notify_all();
            return Ok(());
        }
        let generation = state.generation;
        drop(state);
        let spinning = Instant::now();
        while spinning.elapsed() < SPIN {
            for _ in 0..64 {
                if self.generation.load(Ordering::Acquire) != generation {
                    return Ok(());
                }
                std::hint::spin_loop();
            }
        }
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while state.generation == generation && !state.broken {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if state.generation == generation {
            Err(crate::Error::Thread)
        } else {
            Ok(())
        }
    }

    /// Breaks the barrier: wakes every waiting thread with an error, now and later.
    fn break_off(&self) {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .broken = true;
        self.changed.notify_all();
    }
}

/// Where a segment is.
#[derive(Debug, Clone, Copy)]
struct Position {
    pass: u32,
    lane: usize,
    slice: usize,
}

/// The pseudo-random address generator of Argon2i (and of Argon2id's first half pass).
struct Addresses {
    input: Block,
    block: Block,
    scratch: Block,
}

impl Addresses {
    fn new(shape: &Shape, at: Position) -> Self {
        let mut input = Block::ZERO;
        input.0[0] = u64::from(at.pass);
        input.0[1] = at.lane as u64;
        input.0[2] = at.slice as u64;
        input.0[3] = shape.blocks() as u64;
        input.0[4] = u64::from(shape.passes);
        input.0[5] = shape.algorithm.type_id();
        Self {
            input,
            block: Block::ZERO,
            scratch: Block::ZERO,
        }
    }

    /// The next 128 addresses: `G(0, G(0, input))` after incrementing the counter.
    fn next(&mut self, implementation: Implementation) {
        self.input.0[6] += 1;
        let ignore = |_| {};
        compress(
            implementation,
            &mut self.scratch,
            &Block::ZERO,
            &self.input,
            false,
            ignore,
        );
        compress(
            implementation,
            &mut self.block,
            &Block::ZERO,
            &self.scratch,
            false,
            ignore,
        );
    }
}

/// Computes segment `at` (`segment`) from the blocks before it.
///
/// The reference block of block `i + 1` is chosen while block `i` is still being computed
/// (from its word 0 in the data-dependent passes, from the address block otherwise) and
/// prefetched, so that its load from memory overlaps the end of block `i` instead of
/// stalling the start of block `i + 1`.
fn fill_segment(shape: &Shape, at: Position, segment: &mut [Block], view: &View<'_>) {
    let data_independent = match shape.algorithm {
        Algorithm::Argon2i => true,
        Algorithm::Argon2id => at.pass == 0 && at.slice < SLICES / 2,
        Algorithm::Argon2d => false,
    };
    let mut addresses = data_independent.then(|| Addresses::new(shape, at));
    let first = if at.pass == 0 && at.slice == 0 { 2 } else { 0 };
    let xor = shape.version == Version::V0x13 && at.pass > 0;
    let segment_start = at.slice * shape.segment_len;
    let segment_len = shape.segment_len;
    let referencing = Referencing::new(shape, at);
    // The reference (lane, index) of the block about to be computed, if already chosen.
    let mut chosen: Option<(usize, usize)> = None;
    for i in first..segment_len {
        let (done, rest) = segment.split_at_mut(i);
        let Some(current) = rest.first_mut() else {
            return;
        };
        let prev = match done.last() {
            Some(prev) => prev,
            // The first block of a segment follows the last block of the lane's previous
            // segment (in the first pass, slice 0 starts at block 2, so this is never it).
            None => view.block(
                at.lane,
                (segment_start + shape.lane_len - 1) % shape.lane_len,
            ),
        };
        let (ref_lane, ref_index) = match chosen.take() {
            Some(chosen) => chosen,
            None => {
                let pseudo_random = match &mut addresses {
                    Some(a) => {
                        if i % ADDRESSES_PER_BLOCK == 0 || i == first {
                            a.next(shape.implementation);
                        }
                        a.block.0[i % ADDRESSES_PER_BLOCK]
                    }
                    None => prev.0[0],
                };
                referencing.choose(i, pseudo_random)
            }
        };
        let done = &*done;
        // A block of our lane in this segment is in `done`; any other is in `view`.
        let locate = move |lane: usize, index: usize| {
            if lane == at.lane && index >= segment_start && index - segment_start < done.len() {
                &done[index - segment_start]
            } else {
                view.block(lane, index)
            }
        };
        let reference = locate(ref_lane, ref_index);
        let following = i + 1;
        let addresses = &addresses;
        let chosen = &mut chosen;
        let choose_following = move |word: u64| {
            if following >= segment_len {
                return;
            }
            let pseudo_random = match addresses {
                // A new address block is computed at the next block itself.
                Some(_) if following % ADDRESSES_PER_BLOCK == 0 => return,
                Some(a) => a.block.0[following % ADDRESSES_PER_BLOCK],
                None => word,
            };
            let (lane, index) = referencing.choose(following, pseudo_random);
            prefetch(locate(lane, index));
            *chosen = Some((lane, index));
        };
        compress(
            shape.implementation,
            current,
            prev,
            reference,
            xor,
            choose_following,
        );
    }
}

/// What choosing reference blocks needs to know about one segment, worked out once.
#[derive(Debug, Clone, Copy)]
struct Referencing {
    /// The segment's lane.
    lane: usize,
    /// The lanes a reference may be in: 1 (only our own) during the first slice of the
    /// first pass.
    lanes: u64,
    lane_len: usize,
    /// The blocks of the lane's finished segments that may be referenced.
    finished: usize,
    /// Where the referenceable area of the lane starts (the segment after ours, or 0).
    start: usize,
}

impl Referencing {
    fn new(shape: &Shape, at: Position) -> Self {
        Self {
            lane: at.lane,
            lanes: if at.pass == 0 && at.slice == 0 {
                1
            } else {
                shape.lanes as u64
            },
            lane_len: shape.lane_len,
            finished: if at.pass == 0 {
                at.slice * shape.segment_len
            } else {
                shape.lane_len - shape.segment_len
            },
            start: if at.pass == 0 || at.slice == SLICES - 1 {
                0
            } else {
                (at.slice + 1) * shape.segment_len
            },
        }
    }

    /// The (lane, index within the lane) of the block that block `i` of the segment
    /// references, from its pseudo-random word (RFC 9106, section 3.4.2).
    fn choose(self, i: usize, pseudo_random: u64) -> (usize, usize) {
        let lane = if self.lanes == 1 {
            self.lane
        } else {
            ((pseudo_random >> 32) % self.lanes) as usize
        };
        // The blocks that may be referenced: the finished segments, plus this segment's
        // blocks before the previous one if it is our lane; never the block just before
        // the current one in another lane.
        let area = if lane == self.lane {
            self.finished + i - 1
        } else if i == 0 {
            self.finished - 1
        } else {
            self.finished
        };
        let j1 = pseudo_random & 0xffff_ffff;
        let x = (j1 * j1) >> 32;
        let y = (area as u64 * x) >> 32;
        let relative = area - 1 - y as usize;
        // `(start + relative) % lane_len`, where both are below `lane_len`.
        let index = self.start + relative;
        let index = if index >= self.lane_len {
            index - self.lane_len
        } else {
            index
        };
        (lane, index)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn the_barrier_lets_every_thread_through_together() {
        let barrier = SliceBarrier::new(3);
        let arrivals = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..3 {
                scope.spawn(|| {
                    for round in 0..100 {
                        arrivals.fetch_add(1, Ordering::SeqCst);
                        assert_eq!(barrier.wait(), Ok(()));
                        // Nobody can have arrived at the next round yet.
                        let seen = arrivals.load(Ordering::SeqCst);
                        assert_eq!(seen, 3 * (round + 1));
                        assert_eq!(barrier.wait(), Ok(()));
                    }
                });
            }
        });
        assert_eq!(arrivals.load(Ordering::SeqCst), 300);
    }

    #[test]
    fn a_thread_that_stops_early_releases_the_others_with_an_error() {
        let barrier = SliceBarrier::new(3);
        std::thread::scope(|scope| {
            let waiting: Vec<_> = (0..2).map(|_| scope.spawn(|| barrier.wait())).collect();
            // The third thread panics (its `Participant` is dropped unfinished).
            let panicked = scope
                .spawn(|| {
                    let _participant = Participant {
                        barrier: &barrier,
                        finished: false,
                    };
                    panic!("a lane's thread fails");
                })
                .join();
            assert!(panicked.is_err());
            for w in waiting {
                assert_eq!(w.join().ok(), Some(Err(crate::Error::Thread)));
            }
        });
        // Arriving later fails at once instead of waiting.
        assert_eq!(barrier.wait(), Err(crate::Error::Thread));
    }
}
