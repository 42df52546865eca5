//! The revision of a SQLite database ([`SessionUserStore::revision`]), read from the
//! header of its WAL index (the `-shm` file) with two positioned reads: no round trip
//! to the connection's thread, no query, no lock.
//!
//! [`SessionUserStore::revision`]: auth_core::SessionUserStore::revision
//!
//! # Why the header is a revision
//!
//! In WAL mode every SQLite connection, in any process, learns what is committed from
//! the *WAL-index header* at the start of the `-shm` file: 48 bytes holding a change
//! counter (`iChange`), the last committed frame of the WAL (`mxFrame`), the database
//! size, the checksum of the last frame, the two salts of the WAL's current generation
//! and a checksum over all of these. It is kept twice; a committer writes copy 1, then
//! (after a memory barrier) copy 0; a reader reads copy 0, then copy 1, and takes them
//! only when they are equal and the checksum holds. We read it the same way (see
//! [`Watch::header`]).
//!
//! - **Every commit changes it before the commit can be seen.** A reader's snapshot is
//!   the header it read when its read transaction began, and a commit becomes visible
//!   by writing a new header (`walIndexWriteHdr`, called by the committing
//!   `sqlite3WalFrames` before `COMMIT` returns). So when the engine reads the revision
//!   before a lookup and the lookup misses a write, that write's header was not yet
//!   written when the revision was read, and a revision read after the write returned
//!   (or after it became visible) is read from its header or a later one.
//! - **A header is never repeated.** Each commit appends at least one frame (`mxFrame`
//!   grows) and bumps `iChange`. When the WAL starts over (a writer restarts it after a
//!   complete checkpoint, or a `RESTART`/`TRUNCATE` checkpoint does), `mxFrame` drops to
//!   0 but the first salt is incremented and the second drawn at random, and the
//!   checksum of the last frame is chained from the salts. A passive checkpoint copies
//!   pages into the database file without touching the header; what a reader sees is
//!   unchanged, so the revision rightly stays. A recovery (after a writer crashed in the
//!   middle of writing the header) rebuilds the header from the WAL file: it describes
//!   the last commit, under the same salts and `mxFrame`, and a different `iChange`.
//!
//! The revision handed out is a counter of this store, raised whenever the header read
//! differs from the one read before it: two calls answer the same value only when both
//! read the same header, so only when no commit lay between them. Any commit counts, not
//! only writes of users and sessions: a spurious change costs one lookup.
//!
//! # What must hold, and when the store answers `None`
//!
//! - The `-shm` file we read must be the live one. SQLite deletes it (with the WAL)
//!   when the last connection to the database closes, and the next one creates a new
//!   file; a descriptor of the old one would read a header that never changes again.
//!   The store therefore keeps a connection of its own open (not in the pool): in WAL
//!   mode a connection holds a shared lock on the database file and on the index's
//!   "DMS" byte as long as it is open, and SQLite deletes or truncates the index only
//!   under an exclusive lock on them. [`SqlxStore::close`](crate::SqlxStore::close)
//!   closes it, and from then on the store answers `None`.
//! - The descriptor is never closed. POSIX record locks belong to the process and the
//!   file, not the descriptor: closing *any* descriptor of the `-shm` file would drop
//!   every lock this process's SQLite connections hold on it (the DMS lock among them),
//!   and another process could then reinitialise the index under them. So each `-shm`
//!   file is opened once per process and kept (see [`shm_file`]); it holds no lock.
//! - Every process uses SQLite's shared-memory WAL index on that file: the default
//!   `unix` VFS, `locking_mode=NORMAL`, journal mode WAL. The store answers `None` for
//!   an in-memory database, a URL naming another VFS or `immutable`, a database not in
//!   WAL mode, or exclusive locking (the index then lives in the heap); it cannot see the
//!   options of another process, so a process opening the same file with, say,
//!   `nolock=1` breaks this as it breaks SQLite's own locking. Changing the journal mode
//!   away from WAL needs an exclusive lock, which our connection prevents.
//! - The header is read in the machine's byte order, as SQLite writes it: the file is
//!   shared by processes on one machine only (SQLite's WAL mode does not work over a
//!   network file system).
//!
//! A header that cannot be read consistently within a few attempts (a writer keeps
//! rewriting it, or it is being recovered) makes that one call answer `None`: the engine
//! then looks the session up and keeps nothing.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::{FileExt as _, MetadataExt as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering, fence};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use auth_core::{Error, Result};
use sqlx::{ConnectOptions as _, Connection as _, SqliteConnection, SqlitePool};

use crate::error::{StoreError, map_err};

/// The size of one copy of the WAL-index header.
const HEADER: usize = 48;
/// The bytes covered by the header's checksum (all but the checksum itself).
const CHECKSUMMED: usize = 40;
/// `WALINDEX_MAX_VERSION`: the format of the index this code reads.
const WAL_INDEX_VERSION: u32 = 3_007_000;
/// Reads of the header before a call gives up (answers `None`).
const ATTEMPTS: usize = 8;

/// The store's revision on SQLite: set up by the first call (on a pool the store did not
/// open, nothing is known before), then one header read per call.
#[derive(Default)]
pub(crate) struct SqliteRevision {
    watch: tokio::sync::OnceCell<Option<Watch>>,
    /// Set when the store is closed: from then on it answers `None`.
    closed: AtomicBool,
}

impl SqliteRevision {
    /// The revision, or `None` when this database cannot keep the contract (see the
    /// module documentation). A failure to set up within `timeout` is logged and
    /// answered with `None` (and tried again by the next call): the lookup that follows
    /// reports the database's trouble, if any.
    pub(crate) async fn get(&self, pool: &SqlitePool, timeout: Duration) -> Option<u64> {
        if self.closed.load(Ordering::SeqCst) {
            return None;
        }
        let open = || async {
            tokio::time::timeout(timeout, Watch::open(pool))
                .await
                .unwrap_or_else(|_| {
                    Err(Error::unavailable(StoreError::Timeout {
                        operation: "watch the WAL index",
                        after: timeout,
                    }))
                })
        };
        let watch = self.watch.get_or_try_init(open).await;
        match watch {
            Ok(watch) => watch.as_ref().and_then(Watch::revision),
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch the SQLite WAL index; sessions are looked up on every request");
                None
            }
        }
    }

    /// Closes the connection that keeps the WAL index alive; the store answers `None`
    /// from now on.
    pub(crate) async fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        if let Some(Some(watch)) = self.watch.get() {
            let pin = watch
                .pin
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            if let Some(pin) = pin
                && let Err(e) = pin.close().await
            {
                tracing::debug!(error = %e, "closing the WAL index's connection");
            }
        }
    }
}

/// A live WAL index being watched.
struct Watch {
    /// The `-shm` file, open for the process's lifetime.
    shm: &'static File,
    /// The connection that keeps the WAL index from being deleted (see the module
    /// documentation); `None` once the store is closed.
    pin: Mutex<Option<SqliteConnection>>,
    /// The header read last and the revision handed out for it.
    seen: Mutex<Seen>,
}

struct Seen {
    header: [u8; HEADER],
    revision: u64,
}

impl Watch {
    /// Opens the connection that keeps the index alive and the `-shm` file, when the
    /// pool's database is a file in WAL mode with normal locking on the default VFS.
    async fn open(pool: &SqlitePool) -> Result<Option<Self>> {
        let options = pool.connect_options();
        // sqlx has no getters for these: its `Debug` must show the default VFS, a
        // mutable file, not in memory. Positive evidence only: should the format change,
        // the store keeps no revision rather than guess.
        let shown = format!("{options:?}");
        let plain = ["vfs: None", "immutable: false", "in_memory: false"]
            .iter()
            .all(|field| shown.contains(field));
        if !plain {
            return Ok(None);
        }
        let mut pin = options.connect().await.map_err(map_err)?;
        // A read: in WAL mode it opens the WAL and maps its index, and the connection
        // keeps its shared locks (database file, the index's DMS byte) until it closes.
        sqlx::query("SELECT count(*) FROM sqlite_schema")
            .fetch_one(&mut pin)
            .await
            .map_err(map_err)?;
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut pin)
            .await
            .map_err(map_err)?;
        let locking: String = sqlx::query_scalar("PRAGMA locking_mode")
            .fetch_one(&mut pin)
            .await
            .map_err(map_err)?;
        let file: String =
            sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                .fetch_one(&mut pin)
                .await
                .map_err(map_err)?;
        if !journal.eq_ignore_ascii_case("wal")
            || !locking.eq_ignore_ascii_case("normal")
            || file.is_empty()
        {
            pin.close().await.map_err(map_err)?;
            return Ok(None);
        }
        let path = PathBuf::from(format!("{file}-shm"));
        let shm = shm_file(&path).map_err(|e| {
            Error::backend(std::io::Error::new(
                e.kind(),
                format!("{}: {e}", path.display()),
            ))
        })?;
        let watch = Self {
            shm,
            pin: Mutex::new(Some(pin)),
            seen: Mutex::new(Seen {
                header: [0; HEADER],
                revision: 0,
            }),
        };
        if watch.header().is_none() {
            // Not an index this code understands (or never consistent): keep nothing.
            tracing::warn!(path = %path.display(), "unreadable SQLite WAL-index header; sessions are looked up on every request");
            return Ok(None);
        }
        Ok(Some(watch))
    }

    /// The revision of the header read now.
    fn revision(&self) -> Option<u64> {
        let header = self.header()?;
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.header != header {
            seen.header = header;
            seen.revision += 1;
        }
        Some(seen.revision)
    }

    /// The WAL-index header, read as SQLite reads it (`walIndexTryHdr`): copy 0, a
    /// barrier, copy 1; taken when both are equal, initialised, of the known version and
    /// their checksum holds. A torn read (a commit writing the header meanwhile) is
    /// read again.
    fn header(&self) -> Option<[u8; HEADER]> {
        for _ in 0..ATTEMPTS {
            let mut first = [0u8; HEADER];
            let mut second = [0u8; HEADER];
            self.shm.read_exact_at(&mut first, 0).ok()?;
            fence(Ordering::SeqCst);
            self.shm.read_exact_at(&mut second, HEADER as u64).ok()?;
            if first == second && is_valid(&first) {
                return Some(first);
            }
            std::hint::spin_loop();
        }
        None
    }
}

/// Whether a header copy is initialised, of the known version, and checksummed right.
fn is_valid(header: &[u8; HEADER]) -> bool {
    let word =
        |i: usize| u32::from_ne_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let is_init = header[12] == 1;
    is_init
        && word(0) == WAL_INDEX_VERSION
        && checksum(&header[..CHECKSUMMED]) == [word(40), word(44)]
}

/// SQLite's WAL checksum (`walChecksumBytes`) in native byte order over `bytes` (a
/// multiple of eight long).
fn checksum(bytes: &[u8]) -> [u32; 2] {
    let (mut s1, mut s2) = (0u32, 0u32);
    for pair in bytes.chunks_exact(8) {
        let a = u32::from_ne_bytes([pair[0], pair[1], pair[2], pair[3]]);
        let b = u32::from_ne_bytes([pair[4], pair[5], pair[6], pair[7]]);
        s1 = s1.wrapping_add(a).wrapping_add(s2);
        s2 = s2.wrapping_add(b).wrapping_add(s1);
    }
    [s1, s2]
}

/// The `-shm` file at `path`, opened read-only once per process and never closed (see
/// the module documentation). A descriptor whose file is no longer the one at `path`
/// (the index was deleted and made anew while no store watched it) is replaced by a
/// new one, and kept open too.
fn shm_file(path: &Path) -> std::io::Result<&'static File> {
    static OPEN: OnceLock<Mutex<HashMap<PathBuf, &'static File>>> = OnceLock::new();
    let mut open = OPEN
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let current = std::fs::metadata(path)?;
    if let Some(&file) = open.get(path) {
        let kept = file.metadata()?;
        if (kept.dev(), kept.ino()) == (current.dev(), current.ino()) {
            return Ok(file);
        }
    }
    let file: &'static File = Box::leak(Box::new(File::open(path)?));
    open.insert(path.to_owned(), file);
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header as `walIndexWriteHdr` writes it.
    fn header(i_change: u32, mx_frame: u32, salts: [u32; 2]) -> [u8; HEADER] {
        let mut h = [0u8; HEADER];
        h[0..4].copy_from_slice(&WAL_INDEX_VERSION.to_ne_bytes());
        h[8..12].copy_from_slice(&i_change.to_ne_bytes());
        h[12] = 1;
        h[14..16].copy_from_slice(&4096u16.to_ne_bytes());
        h[16..20].copy_from_slice(&mx_frame.to_ne_bytes());
        h[32..36].copy_from_slice(&salts[0].to_ne_bytes());
        h[36..40].copy_from_slice(&salts[1].to_ne_bytes());
        let sum = checksum(&h[..CHECKSUMMED]);
        h[40..44].copy_from_slice(&sum[0].to_ne_bytes());
        h[44..48].copy_from_slice(&sum[1].to_ne_bytes());
        h
    }

    #[test]
    fn headers_are_checked_as_sqlite_checks_them() {
        let good = header(7, 12, [0x1234, 0xabcd]);
        assert!(is_valid(&good));
        let mut uninitialised = good;
        uninitialised[12] = 0;
        assert!(!is_valid(&uninitialised));
        let mut torn = good;
        torn[16] ^= 1;
        assert!(!is_valid(&torn), "a changed mxFrame breaks the checksum");
        let mut other_version = header(7, 12, [0x1234, 0xabcd]);
        other_version[0] ^= 1;
        assert!(!is_valid(&other_version));
        assert!(!is_valid(&[0; HEADER]));
    }

    #[test]
    fn the_checksum_is_sqlites() {
        // walChecksumBytes(1, ..) over the words 1..=4: s1 = 1, s2 = 3, s1 = 7, s2 = 14.
        let bytes: Vec<u8> = [1u32, 2, 3, 4]
            .iter()
            .flat_map(|w| w.to_ne_bytes())
            .collect();
        assert_eq!(checksum(&bytes), [7, 14]);
    }
}
