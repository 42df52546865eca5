//! `import`: accounts from another system, with their password hashes.
//!
//! Each row is one [`Auth::import_user`]: created whole (the store's insert is atomic) or
//! not at all. A bad row (unreadable, invalid field, unknown hash format, address or
//! username taken) is reported with its line number and reason and skipped; the rest are
//! imported. A failure of the store itself stops the import (the rows before it stay
//! imported, and the summary says how many).

use std::path::Path;

use auth_core::{Auth, Error, ImportUser, PasswordHash, ProfileUpdate};
use demo_support::BoxError;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Deserialize;
use serde_json::json;

use crate::output::{Out, reasons};
use crate::{ImportFormat, Outcome};

/// One account as the file gives it. CSV columns (header row, any order):
/// `email,username,password_hash,roles,verified,profile`; only `email` and
/// `password_hash` are required. In CSV, `roles` is a list separated by spaces, commas or
/// semicolons, and `profile` a JSON object as text (JSON lines take the object itself).
#[derive(Debug, Deserialize)]
struct Row {
    email: String,
    #[serde(default)]
    username: Option<String>,
    password_hash: String,
    #[serde(default)]
    roles: Roles,
    #[serde(default)]
    verified: Flag,
    #[serde(default)]
    profile: ProfileValues,
}

/// Profile values as a JSON object, or (in CSV) as the text of one.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum ProfileValues {
    #[default]
    None,
    Object(serde_json::Map<String, serde_json::Value>),
    Text(String),
}

impl ProfileValues {
    fn into_update(self) -> Result<ProfileUpdate, String> {
        let values = match self {
            ProfileValues::None => return Ok(ProfileUpdate::new()),
            ProfileValues::Text(text) if text.trim().is_empty() => return Ok(ProfileUpdate::new()),
            ProfileValues::Object(values) => values,
            ProfileValues::Text(text) => serde_json::from_str(&text)
                .map_err(|e| format!("profile: not a JSON object: {e}"))?,
        };
        let mut update = ProfileUpdate::new();
        for (name, value) in values {
            update.insert(name, value);
        }
        Ok(update)
    }
}

/// Roles as a JSON array or a separated string.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum Roles {
    #[default]
    None,
    List(Vec<String>),
    Text(String),
}

impl Roles {
    fn into_vec(self) -> Vec<String> {
        match self {
            Roles::None => Vec::new(),
            Roles::List(roles) => roles,
            Roles::Text(text) => text
                .split([' ', ',', ';'])
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// `verified` as a JSON boolean or `true`/`false`/`1`/`0`/`yes`/`no`/empty text.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum Flag {
    #[default]
    Unset,
    Bool(bool),
    Text(String),
}

impl Flag {
    fn value(&self) -> Result<bool, String> {
        match self {
            Flag::Unset => Ok(false),
            Flag::Bool(b) => Ok(*b),
            Flag::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
                "" | "false" | "0" | "no" => Ok(false),
                "true" | "1" | "yes" => Ok(true),
                _ => Err(format!("verified: not true or false: {t:?}")),
            },
        }
    }
}

/// A row that was skipped, and why.
#[derive(Debug)]
struct Skipped {
    line: u64,
    reason: String,
}

/// Reads every row of `file`, imports the good ones and reports the bad ones.
pub(crate) async fn import(
    auth: &Auth,
    out: &Out,
    format: ImportFormat,
    file: &Path,
) -> Result<Outcome, BoxError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let (rows, mut skipped) = match format {
        ImportFormat::Csv => read_csv(&text)?,
        ImportFormat::Jsonl => read_jsonl(&text),
    };
    let total = rows.len() + skipped.len();
    let bar = progress(out, rows.len());
    let mut imported = 0usize;
    let mut fatal = None;
    for (line, row) in rows {
        bar.inc(1);
        let verified = match row.verified.value() {
            Ok(v) => v,
            Err(reason) => {
                skipped.push(Skipped { line, reason });
                continue;
            }
        };
        let profile = match row.profile.into_update() {
            Ok(profile) => profile,
            Err(reason) => {
                skipped.push(Skipped { line, reason });
                continue;
            }
        };
        let input = ImportUser {
            email: row.email,
            username: row.username.filter(|u| !u.trim().is_empty()),
            password_hash: PasswordHash::new(row.password_hash),
            roles: row.roles.into_vec(),
            verified,
            profile,
        };
        match auth.import_user(input).await {
            Ok(_) => imported += 1,
            Err(e @ (Error::Validation(_) | Error::Conflict { .. })) => skipped.push(Skipped {
                line,
                reason: reasons(&e),
            }),
            Err(e) => {
                fatal = Some((line, e));
                break;
            }
        }
    }
    bar.finish_and_clear();
    skipped.sort_by_key(|s| s.line);
    report(out, total, imported, &skipped);
    if let Some((line, e)) = fatal {
        return Err(format!("stopped at line {line}: {e}").into());
    }
    Ok(if skipped.is_empty() {
        Outcome::Done
    } else {
        Outcome::Partly
    })
}

fn progress(out: &Out, len: usize) -> ProgressBar {
    if out.is_json() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(
        Some(u64::try_from(len).unwrap_or(u64::MAX)),
        ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        ProgressStyle::with_template("importing {bar:40} {pos}/{len} rows ({eta} left)")
    {
        bar.set_style(style);
    }
    bar
}

type Read = (Vec<(u64, Row)>, Vec<Skipped>);

/// The rows of a CSV file with a header row, with their line numbers. Every row has as
/// many fields as the header (quote hashes that contain commas, such as scrypt's and
/// Argon2's parameters).
fn read_csv(text: &str) -> Result<Read, BoxError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| format!("line 1: not a CSV header row: {e}"))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(email), Some(hash)) = (column("email"), column("password_hash")) else {
        return Err("line 1: the header row needs an email and a password_hash column".into());
    };
    let (username, roles, verified, profile) = (
        column("username"),
        column("roles"),
        column("verified"),
        column("profile"),
    );
    let (mut rows, mut skipped) = (Vec::new(), Vec::new());
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, csv::Position::line);
                let field = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or_default();
                rows.push((
                    line,
                    Row {
                        email: field(Some(email)).to_owned(),
                        username: Some(field(username).to_owned()),
                        password_hash: field(Some(hash)).to_owned(),
                        roles: Roles::Text(field(roles).to_owned()),
                        verified: Flag::Text(field(verified).to_owned()),
                        profile: ProfileValues::Text(field(profile).to_owned()),
                    },
                ));
            }
            Err(e) => skipped.push(Skipped {
                line: e.position().map_or(0, csv::Position::line),
                reason: format!("unreadable row: {e}"),
            }),
        }
    }
    Ok((rows, skipped))
}

/// The rows of a JSON-lines file (blank lines ignored), with their line numbers.
fn read_jsonl(text: &str) -> Read {
    let (mut rows, mut skipped) = (Vec::new(), Vec::new());
    for (line, content) in (1u64..).zip(text.lines()) {
        if content.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Row>(content) {
            Ok(row) => rows.push((line, row)),
            Err(e) => skipped.push(Skipped {
                line,
                reason: format!("unreadable row: {e}"),
            }),
        }
    }
    (rows, skipped)
}

fn report(out: &Out, total: usize, imported: usize, skipped: &[Skipped]) {
    if !out.is_json() {
        for s in skipped {
            eprintln!("line {}: skipped: {}", s.line, s.reason);
        }
    }
    let value = json!({
        "rows": total,
        "imported": imported,
        "skipped": skipped.len(),
        "errors": skipped
            .iter()
            .map(|s| json!({ "line": s.line, "reason": s.reason }))
            .collect::<Vec<_>>(),
    });
    out.print(&value, || {
        format!(
            "imported {imported} of {total} rows, skipped {}",
            skipped.len()
        )
    });
}
