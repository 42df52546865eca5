//! A demo site whose data outlives its processes, for the fault tests: the database (a
//! SQLite file, or table and key prefixes on PostgreSQL and Redis), the mail directory,
//! the signing secret and the base URL of mailed links stay the same from one process to
//! the next, so a process can be stopped, or killed with `SIGKILL`, and another one (of
//! any framework) started on what it left behind, with the links it mailed still valid.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::{
    Backend, Demo, Framework, Launch, free_port, launch, services, shared_store_args, unique,
};

/// The lasting part of a demo site; [`Site::start`] runs a process on it.
#[derive(Debug)]
pub struct Site {
    /// Where the data is.
    pub backend: Backend,
    /// The database flags of every process of the site.
    pub db_args: Vec<String>,
    /// The mail directory every process writes to.
    pub mail_dir: PathBuf,
    /// The base URL of mailed links: an address nothing listens on, as behind a load
    /// balancer, so that it outlives the processes' ports.
    pub base_url: String,
    /// The SQL table prefix.
    pub table_prefix: String,
    secret: String,
    dir: tempfile::TempDir,
}

impl Site {
    /// A site on a SQLite file.
    ///
    /// # Panics
    /// When no temporary directory can be made.
    pub fn sqlite() -> Site {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db_args = vec![
            "--database-url".to_owned(),
            format!("sqlite://{}", dir.path().join("site.db").display()),
        ];
        Site::new(Backend::Sqlite, db_args, "auth_".to_owned(), dir)
    }

    /// A site with users in PostgreSQL and sessions and counters in Redis, reached at
    /// `postgres_url` and `redis_url` (e.g. through a proxy in front of the services),
    /// under fresh prefixes.
    ///
    /// # Panics
    /// When no temporary directory can be made.
    pub fn postgres_redis(postgres_url: &str, redis_url: &str) -> Site {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let id = unique("site");
        let db_args = shared_store_args(postgres_url.to_owned(), redis_url.to_owned(), &id);
        Site::new(Backend::PostgresRedis, db_args, format!("{id}_"), dir)
    }

    fn new(
        backend: Backend,
        db_args: Vec<String>,
        table_prefix: String,
        dir: tempfile::TempDir,
    ) -> Site {
        Site {
            backend,
            db_args,
            mail_dir: dir.path().join("mail"),
            base_url: format!("http://127.0.0.1:{}", free_port()),
            table_prefix,
            secret: format!("{}-site-signing-secret-0123456789abcdef", unique("secret")),
            dir,
        }
    }

    /// Starts a `framework` process on the site with development cookies and `flags`,
    /// and waits (bounded) for its `listening on` line.
    ///
    /// # Panics
    /// As [`Demo::start`].
    pub fn start(&self, framework: Framework, flags: &[&str]) -> Demo {
        launch(Launch {
            framework,
            backend: self.backend,
            db_args: self.db_args.clone(),
            dir: tempfile::tempdir().expect("a temporary directory"),
            mail_dir: self.mail_dir.clone(),
            addr: "127.0.0.1:0".to_owned(),
            base_url: Some(self.base_url.clone()),
            flags,
            secret: Some(&self.secret),
        })
    }

    /// The answer of the site's SQL database to `query`, one row a line, columns
    /// separated by `|` (through `sqlite3` or `psql` on the database itself, never
    /// through a proxy). Name tables with [`Site::table`].
    ///
    /// # Panics
    /// When the client cannot run or the query fails.
    pub fn sql(&self, query: &str) -> String {
        let out = match self.backend {
            Backend::Sqlite => Command::new("sqlite3")
                .arg("-batch")
                .arg(self.dir.path().join("site.db"))
                .arg(query)
                .output(),
            Backend::PostgresRedis => Command::new("psql")
                .arg(services("SQL check").0)
                .args(["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-c", query])
                .output(),
        }
        .expect("the SQL client runs");
        assert!(
            out.status.success(),
            "{query}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// The full name of the site's table `name` (`users`, `outbox`, ...).
    pub fn table(&self, name: &str) -> String {
        format!("{}{name}", self.table_prefix)
    }
}

impl Demo {
    /// Kills the demo process with `SIGKILL` (no shutdown, no destructor, mail being
    /// sent is lost) and waits until it is gone. Requests in flight fail.
    ///
    /// # Panics
    /// When the process cannot be found or does not die within ten seconds.
    pub fn kill_hard(&self) {
        let mut watchdog = self.child.lock().unwrap_or_else(|e| e.into_inner());
        let pid = demo_pid(watchdog.id(), self.framework.binary())
            .unwrap_or_else(|| panic!("{} is not running", self.framework.binary()));
        let status = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -KILL {pid}: {status}");
        // The watchdog exits with the demo.
        let deadline = Instant::now() + Duration::from_secs(10);
        while matches!(watchdog.try_wait(), Ok(None)) {
            assert!(Instant::now() < deadline, "{pid} did not die within 10 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The process id of the child of `parent` named `name` (from `/proc`).
fn demo_pid(parent: u32, name: &str) -> Option<u32> {
    let entries = std::fs::read_dir("/proc").ok()?;
    entries.filter_map(Result::ok).find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
        // pid (comm) state ppid ...
        let open = stat.find('(')?;
        let close = stat.rfind(')')?;
        let comm = &stat[open + 1..close];
        let ppid: u32 = stat[close + 1..].split_whitespace().nth(1)?.parse().ok()?;
        (ppid == parent && !comm.is_empty() && name.starts_with(comm)).then_some(pid)
    })
}
