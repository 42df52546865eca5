//! The services a test can need, and the one decision whether a build can use each.
//!
//! Compiled into the build script, which evaluates it against the real environment, and
//! into this crate's unit tests, which evaluate it against a made-up one.

use std::path::Path;

/// Something a test can need, by the name tests give in `#[needs(..)]`.
pub(crate) struct Service {
    /// The name in `#[needs(..)]`.
    pub(crate) name: &'static str,
    /// How a build tells whether it is there.
    pub(crate) probe: Probe,
}

/// How a build tells whether a service is there.
pub(crate) enum Probe {
    /// A server whose address is in an environment variable.
    Address {
        /// The variable, e.g. `AUTH_TEST_POSTGRES_URL`.
        var: &'static str,
        /// What the server is, for the reason.
        what: &'static str,
    },
    /// A program the test starts itself.
    Program {
        /// Its names, looked up in the directories of `PATH`.
        names: &'static [&'static str],
        /// A variable holding its path, looked at before `PATH`.
        path_var: Option<&'static str>,
        /// A variable that, set, says the program must be there (the test then runs and
        /// fails without it).
        required_by: Option<&'static str>,
    },
    /// A Python module, importable by `python3`, that the test runs a server with.
    PythonModule {
        /// The module.
        module: &'static str,
        /// A variable that, set, says the module must be there.
        required_by: &'static str,
    },
}

/// Every service, in the order reasons list them.
pub(crate) const SERVICES: &[Service] = &[
    Service {
        name: "postgres",
        probe: Probe::Address {
            var: "AUTH_TEST_POSTGRES_URL",
            what: "PostgreSQL",
        },
    },
    Service {
        name: "mysql",
        probe: Probe::Address {
            var: "AUTH_TEST_MYSQL_URL",
            what: "MariaDB/MySQL",
        },
    },
    Service {
        name: "redis",
        probe: Probe::Address {
            var: "AUTH_TEST_REDIS_URL",
            what: "Redis",
        },
    },
    Service {
        name: "smtp_server",
        probe: Probe::PythonModule {
            module: "aiosmtpd",
            required_by: "AUTH_TEST_SMTP",
        },
    },
    Service {
        name: "python_hashers",
        probe: Probe::PythonModule {
            module: "bcrypt, passlib, django, argon2",
            required_by: "AUTH_TEST_PYTHON_HASHERS",
        },
    },
    Service {
        name: "python_webhooks",
        probe: Probe::PythonModule {
            module: "standardwebhooks",
            required_by: "AUTH_TEST_PYTHON_WEBHOOKS",
        },
    },
    Service {
        name: "chromium",
        probe: Probe::Program {
            names: &[
                "chromium",
                "chromium-browser",
                "google-chrome",
                "google-chrome-stable",
            ],
            path_var: Some("CHROMIUM"),
            required_by: Some("AUTH_TEST_CHROMIUM"),
        },
    },
    Service {
        name: "chromedriver",
        probe: Probe::Program {
            names: &["chromedriver"],
            path_var: Some("CHROMEDRIVER"),
            required_by: Some("AUTH_TEST_CHROMIUM"),
        },
    },
    Service {
        name: "redis_server",
        probe: Probe::Program {
            names: &["redis-server"],
            path_var: None,
            required_by: None,
        },
    },
    Service {
        name: "redis_cli",
        probe: Probe::Program {
            names: &["redis-cli"],
            path_var: None,
            required_by: None,
        },
    },
    Service {
        name: "oidc_provider",
        probe: Probe::Address {
            var: "AUTH_TEST_OIDC_PROVIDER",
            what: "the OpenID provider (tests/oidc-provider with node oidc-provider installed by .ci/services.sh)",
        },
    },
    Service {
        name: "openssl",
        probe: Probe::Program {
            names: &["openssl"],
            path_var: None,
            required_by: None,
        },
    },
];

/// The variable that marks a CI run, where nothing is ever skipped.
pub(crate) const CI: &str = "CI";

/// What the decision looks at; the build script's is the real machine.
pub(crate) trait Machine {
    /// An environment variable, `None` when unset or not Unicode.
    fn var(&self, name: &str) -> Option<String>;
    /// Whether a file exists at `path`.
    fn is_file(&self, path: &Path) -> bool;
    /// Whether `python3 -c "import <module>"` succeeds.
    fn python_imports(&self, module: &str) -> bool;
}

/// Every environment variable the decision reads: a build is redone when one changes.
pub(crate) fn tracked_vars() -> Vec<&'static str> {
    let mut vars = vec![CI, "PATH"];
    for service in SERVICES {
        match service.probe {
            Probe::Address { var, .. } => vars.push(var),
            Probe::Program {
                path_var,
                required_by,
                ..
            } => vars.extend(path_var.into_iter().chain(required_by)),
            Probe::PythonModule { required_by, .. } => vars.push(required_by),
        }
    }
    vars.sort_unstable();
    vars.dedup();
    vars
}

/// Whether this is a CI run: `CI` set to anything but empty, `0` or `false`.
pub(crate) fn is_ci(machine: &dyn Machine) -> bool {
    machine
        .var(CI)
        .is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// Why `service` cannot be used in this build, or `None` when it can (always under CI,
/// where a missing service must fail the test instead).
pub(crate) fn missing(service: &Service, machine: &dyn Machine) -> Option<String> {
    if is_ci(machine) {
        return None;
    }
    let set = |var: &str| machine.var(var).is_some_and(|v| !v.trim().is_empty());
    match service.probe {
        Probe::Address { var, what } => (!set(var)).then(|| format!("needs {what}: set {var}")),
        Probe::Program {
            names,
            path_var,
            required_by,
        } => {
            let given = path_var
                .and_then(|var| machine.var(var))
                .is_some_and(|path| machine.is_file(Path::new(&path)));
            let on_path = machine.var("PATH").is_some_and(|path| {
                std::env::split_paths(&path)
                    .filter(|dir| !dir.as_os_str().is_empty())
                    .any(|dir| names.iter().any(|n| machine.is_file(&dir.join(n))))
            });
            if given || on_path || required_by.is_some_and(set) {
                return None;
            }
            let mut how = vec![format!("{} on PATH", names[0])];
            how.extend(path_var.map(|var| format!("{var}=<path>")));
            how.extend(required_by.map(|var| format!("{var} set")));
            Some(format!("needs {}", how.join(" or ")))
        }
        Probe::PythonModule {
            module,
            required_by,
        } => (!set(required_by) && !machine.python_imports(module)).then(|| {
            format!("needs Python's {module} (pip install {module}) or {required_by} set")
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;

    #[derive(Default)]
    struct Fake {
        vars: HashMap<&'static str, &'static str>,
        files: HashSet<&'static str>,
        modules: HashSet<&'static str>,
    }

    impl Machine for Fake {
        fn var(&self, name: &str) -> Option<String> {
            self.vars.get(name).map(|v| (*v).to_owned())
        }
        fn is_file(&self, path: &Path) -> bool {
            path.to_str().is_some_and(|p| self.files.contains(p))
        }
        fn python_imports(&self, module: &str) -> bool {
            self.modules.contains(module)
        }
    }

    fn service(name: &str) -> &'static Service {
        SERVICES.iter().find(|s| s.name == name).unwrap()
    }

    #[test]
    fn an_unset_or_blank_address_is_missing_and_names_its_variable() {
        let mut machine = Fake::default();
        assert_eq!(
            missing(service("postgres"), &machine).as_deref(),
            Some("needs PostgreSQL: set AUTH_TEST_POSTGRES_URL")
        );
        machine.vars.insert("AUTH_TEST_POSTGRES_URL", "  ");
        assert!(missing(service("postgres"), &machine).is_some());
        machine
            .vars
            .insert("AUTH_TEST_POSTGRES_URL", "postgres://127.0.0.1/x");
        assert_eq!(missing(service("postgres"), &machine), None);
        assert!(missing(service("mysql"), &machine).is_some());
    }

    #[test]
    fn ci_uses_everything_so_that_a_missing_service_fails() {
        for ci in ["true", "1", "yes"] {
            let machine = Fake {
                vars: HashMap::from([("CI", ci)]),
                ..Fake::default()
            };
            for s in SERVICES {
                assert_eq!(missing(s, &machine), None, "{} with CI={ci}", s.name);
            }
        }
        for not_ci in ["", "0", "false", "FALSE"] {
            let machine = Fake {
                vars: HashMap::from([("CI", not_ci)]),
                ..Fake::default()
            };
            assert!(
                missing(service("redis"), &machine).is_some(),
                "CI={not_ci:?}"
            );
        }
    }

    #[test]
    fn programs_are_found_on_path_or_through_their_variable() {
        let mut machine = Fake {
            vars: HashMap::from([("PATH", "/opt/bin::/usr/bin")]),
            ..Fake::default()
        };
        assert_eq!(
            missing(service("chromium"), &machine).as_deref(),
            Some("needs chromium on PATH or CHROMIUM=<path> or AUTH_TEST_CHROMIUM set")
        );
        assert_eq!(
            missing(service("redis_server"), &machine).as_deref(),
            Some("needs redis-server on PATH")
        );
        machine.files.insert("/usr/bin/chromium-browser");
        assert_eq!(
            missing(service("redis_cli"), &machine).as_deref(),
            Some("needs redis-cli on PATH")
        );
        machine.files.insert("/usr/bin/redis-server");
        assert_eq!(missing(service("chromium"), &machine), None);
        assert_eq!(missing(service("redis_server"), &machine), None);
        assert!(
            missing(service("redis_cli"), &machine).is_some(),
            "one program does not stand for another"
        );
        machine.files.insert("/opt/bin/redis-cli");
        assert_eq!(missing(service("redis_cli"), &machine), None);
        assert!(missing(service("chromedriver"), &machine).is_some());
        // A path in the variable must exist to count.
        machine
            .vars
            .insert("CHROMEDRIVER", "/elsewhere/chromedriver");
        assert!(missing(service("chromedriver"), &machine).is_some());
        machine.files.insert("/elsewhere/chromedriver");
        assert_eq!(missing(service("chromedriver"), &machine), None);
    }

    #[test]
    fn a_required_tool_runs_even_when_absent_so_that_its_absence_fails() {
        let machine = Fake {
            vars: HashMap::from([
                ("AUTH_TEST_CHROMIUM", "/usr/bin/chromium"),
                ("AUTH_TEST_SMTP", "1"),
            ]),
            ..Fake::default()
        };
        assert_eq!(missing(service("chromium"), &machine), None);
        assert_eq!(missing(service("chromedriver"), &machine), None);
        assert_eq!(missing(service("smtp_server"), &machine), None);
        assert!(missing(service("redis_server"), &machine).is_some());
    }

    #[test]
    fn the_smtp_server_needs_its_python_module() {
        let mut machine = Fake::default();
        assert_eq!(
            missing(service("smtp_server"), &machine).as_deref(),
            Some("needs Python's aiosmtpd (pip install aiosmtpd) or AUTH_TEST_SMTP set")
        );
        machine.modules.insert("aiosmtpd");
        assert_eq!(missing(service("smtp_server"), &machine), None);
    }

    #[test]
    fn every_variable_read_is_tracked() {
        let vars = tracked_vars();
        for var in [
            "CI",
            "PATH",
            "AUTH_TEST_POSTGRES_URL",
            "AUTH_TEST_MYSQL_URL",
            "AUTH_TEST_REDIS_URL",
            "AUTH_TEST_SMTP",
            "AUTH_TEST_PYTHON_HASHERS",
            "AUTH_TEST_PYTHON_WEBHOOKS",
            "AUTH_TEST_CHROMIUM",
            "CHROMIUM",
            "CHROMEDRIVER",
        ] {
            assert!(vars.contains(&var), "{var} not tracked: {vars:?}");
        }
    }
}
