//! What pages and the JSON API show of the engine's records, as typed views. Never a password hash,
//! security stamp, session id or token.

use auth_core::profile::{ProfileSchema, Writer};
use auth_core::{
    AuditEvent, Catalogues, Config, DeliveryState, FailedMail, SessionRecord, User, WebhookDelivery,
};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

use crate::RequestKind;

/// `2026-11-22 05:51 UTC`, for pages.
pub(crate) fn human_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute] UTC"
    ))
    .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// RFC 3339, for JSON.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// How the records' times are written for `kind`: RFC 3339 for programs, words for people.
fn time_for(kind: RequestKind) -> fn(OffsetDateTime) -> String {
    match kind {
        RequestKind::Api => rfc3339,
        RequestKind::Page => human_time,
    }
}

/// The user as the JSON API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct UserBody {
    id: String,
    email: String,
    username: Option<String>,
    email_verified: bool,
    roles: Vec<String>,
    disabled: bool,
    created_at: String,
    last_login_at: Option<String>,
    /// The declared profile fields the reader may see, by name (unset ones absent).
    #[schema(value_type = Object)]
    profile: serde_json::Map<String, serde_json::Value>,
    /// The language of the account's mails (an offered language's tag); `null` for the
    /// default language.
    language: Option<String>,
}

impl UserBody {
    /// The user as its owner sees it (no admin-only profile field).
    pub(crate) fn new(user: &User, schema: &ProfileSchema) -> Self {
        Self::as_seen_by(user, schema, Writer::Owner)
    }

    /// The user as an administrator sees it (every declared profile field).
    pub(crate) fn for_admin(user: &User, schema: &ProfileSchema) -> Self {
        Self::as_seen_by(user, schema, Writer::Admin)
    }

    fn as_seen_by(user: &User, schema: &ProfileSchema, reader: Writer) -> Self {
        Self {
            id: user.id.to_string(),
            email: user.email.clone(),
            username: user.username.clone(),
            email_verified: user.is_verified(),
            roles: user.roles.clone(),
            disabled: user.status == auth_core::AccountStatus::Disabled,
            created_at: rfc3339(user.created_at),
            last_login_at: user.last_login_at.map(rfc3339),
            profile: schema.view(&user.profile, reader),
            language: user.language.clone(),
        }
    }
}

/// The user as templates see it (`user.display`, `user.is_admin`, ...).
#[derive(Debug, Serialize)]
pub(crate) struct UserView {
    id: String,
    email: String,
    username: Option<String>,
    display: String,
    /// The uploaded picture as an `<img>`, else the generated avatar as inline SVG
    /// markup ([`crate::avatar`]); templates print it with `|safe`.
    avatar: String,
    /// The URL of the uploaded picture, if there is one.
    picture: Option<String>,
    verified: bool,
    roles: Vec<String>,
    is_admin: bool,
    disabled: bool,
    locked: bool,
    created_at: String,
    last_login_at: Option<String>,
    /// The profile values the owner sees, by name.
    profile: serde_json::Map<String, serde_json::Value>,
}

impl UserView {
    /// The view of `user`, whose uploaded picture is at `picture` (a URL) if it has one.
    pub(crate) fn new(user: &User, config: &Config, picture: Option<String>) -> Self {
        let now = OffsetDateTime::now_utc();
        let admin_role = config.admin_role();
        let display = user
            .profile
            .display_name()
            .or(user.username.as_deref())
            .unwrap_or(&user.email)
            .to_owned();
        Self {
            id: user.id.to_string(),
            email: user.email.clone(),
            username: user.username.clone(),
            display,
            avatar: match &picture {
                Some(src) => crate::avatar::img(src),
                None => crate::avatar::svg(user.id, user.shown_name()),
            },
            picture,
            verified: user.is_verified(),
            roles: user.roles.clone(),
            is_admin: user.has_role(admin_role),
            disabled: user.status == auth_core::AccountStatus::Disabled,
            locked: user.locked_until.is_some_and(|t| t > now),
            created_at: human_time(user.created_at),
            last_login_at: user.last_login_at.map(human_time),
            profile: config.profile().view(&user.profile, Writer::Owner),
        }
    }
}

/// Below this many recovery codes left, the pages suggest making new ones.
const FEW_RECOVERY_CODES: usize = 3;

/// An account's second factor as the pages show it (never a secret or a digest).
#[derive(Debug, Serialize)]
pub(crate) struct SecondFactorView {
    enabled: bool,
    enrolled_at: Option<String>,
    recovery_codes_left: usize,
    /// Whether so few recovery codes are left that new ones are advised.
    few_left: bool,
}

impl SecondFactorView {
    pub(crate) fn of(user: &User) -> Self {
        let factor = user.second_factor.as_ref();
        let left = factor.map_or(0, auth_core::SecondFactor::recovery_codes_left);
        Self {
            enabled: factor.is_some(),
            enrolled_at: factor.map(|f| human_time(f.enrolled_at)),
            recovery_codes_left: left,
            few_left: factor.is_some() && left <= FEW_RECOVERY_CODES,
        }
    }
}

/// A session in a device list. `handle` is the public id used to revoke it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct SessionBody {
    handle: String,
    current: bool,
    created_at: String,
    last_seen_at: String,
    expires_at: String,
    remember: bool,
    user_agent: Option<String>,
    ip: Option<String>,
    /// The methods that proved the sign-in and any re-authentication since.
    amr: Vec<&'static str>,
    /// When the sign-in was proved.
    auth_time: String,
    /// When the session last showed a fresh proof (step-up).
    proved_at: String,
}

impl SessionBody {
    pub(crate) fn new(s: &SessionRecord, current: bool, kind: RequestKind) -> Self {
        let t = time_for(kind);
        Self {
            amr: s.amr.iter().map(|m| m.as_str()).collect(),
            auth_time: t(s.auth_time),
            proved_at: t(s.proved_at),
            handle: s.digest.to_hex(),
            current,
            created_at: t(s.created_at),
            last_seen_at: t(s.last_seen_at),
            expires_at: t(s.dies_at()),
            remember: s.remember,
            user_agent: s.user_agent.clone(),
            ip: s.ip.clone(),
        }
    }
}

/// A session in a device list of a page, which also gets `device`, a short summary of
/// the User-Agent ([`device_summary`]).
#[derive(Debug, Serialize)]
pub(crate) struct SessionView {
    #[serde(flatten)]
    session: SessionBody,
    device: Option<String>,
}

impl SessionView {
    /// The view of `s` on a page in `lang`.
    pub(crate) fn new(
        s: &SessionRecord,
        current: bool,
        catalogues: &Catalogues,
        lang: &str,
    ) -> Self {
        Self {
            session: SessionBody::new(s, current, RequestKind::Page),
            device: s
                .user_agent
                .as_deref()
                .map(|agent| device_summary(agent, catalogues, lang)),
        }
    }
}

/// An audit event.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct EventBody {
    kind: &'static str,
    at: String,
    actor_id: Option<String>,
    ip: Option<String>,
    detail: Option<String>,
}

impl EventBody {
    pub(crate) fn new(e: &AuditEvent, kind: RequestKind) -> Self {
        Self {
            kind: e.kind.as_str(),
            at: time_for(kind)(e.at),
            actor_id: e.actor_id.map(|a| a.to_string()),
            ip: e.ip.clone(),
            detail: e.detail.clone(),
        }
    }
}

/// An audit event for the admin pages, which also get `label`, the kind in words.
#[derive(Debug, Serialize)]
pub(crate) struct EventView {
    #[serde(flatten)]
    event: EventBody,
    label: String,
}

impl EventView {
    /// `e` with its kind in words in `lang` (`audit-<kind>`).
    pub(crate) fn new(e: &AuditEvent, catalogues: &Catalogues, lang: &str) -> Self {
        let key = format!("audit-{}", e.kind.as_str());
        Self {
            event: EventBody::new(e, RequestKind::Page),
            label: crate::localize::label(catalogues, lang, &key, e.kind.label()),
        }
    }
}

/// What the admin page or the API shows of a mail the outbox gave up on: never its
/// bodies (the store does not even return them).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct FailedMailBody {
    id: String,
    to: String,
    kind: &'static str,
    attempts: u32,
    created_at: String,
    failed_at: String,
    last_error: String,
}

impl FailedMailBody {
    pub(crate) fn new(m: &FailedMail, kind: RequestKind) -> Self {
        let t = time_for(kind);
        Self {
            id: m.id.to_string(),
            to: m.to.clone(),
            kind: m.kind.as_str(),
            attempts: m.attempts,
            created_at: t(m.created_at),
            failed_at: t(m.failed_at),
            last_error: m.last_error.clone(),
        }
    }
}

/// A failed mail on the admin page, which also gets `label`, the kind in words.
#[derive(Debug, Serialize)]
pub(crate) struct FailedMailView {
    #[serde(flatten)]
    mail: FailedMailBody,
    label: String,
}

impl FailedMailView {
    /// `m` with its kind in words in `lang` (`outbox-<kind>`).
    pub(crate) fn new(m: &FailedMail, catalogues: &Catalogues, lang: &str) -> Self {
        let key = format!("outbox-{}", m.kind.as_str());
        Self {
            mail: FailedMailBody::new(m, RequestKind::Page),
            label: crate::localize::label(catalogues, lang, &key, m.kind.label()),
        }
    }
}

/// What the admin page or the API shows of a webhook delivery: where it goes, what it
/// carries, where it stands and the last outcome. Never its body or its signature (the
/// store returns neither), so never anything signed with the endpoint's secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct WebhookDeliveryBody {
    id: String,
    url: String,
    event_type: String,
    /// `pending`, `delivered` or `failed`.
    state: &'static str,
    attempts: u32,
    created_at: String,
    next_attempt_at: Option<String>,
    finished_at: Option<String>,
    last_outcome: Option<String>,
}

impl WebhookDeliveryBody {
    pub(crate) fn new(d: &WebhookDelivery, kind: RequestKind) -> Self {
        let t = time_for(kind);
        Self {
            id: d.id.to_string(),
            url: d.url.clone(),
            event_type: d.event_type.clone(),
            state: d.state.as_str(),
            attempts: d.attempts,
            created_at: t(d.created_at),
            next_attempt_at: d.next_attempt_at.map(t),
            finished_at: d.finished_at.map(t),
            last_outcome: d.last_outcome.clone(),
        }
    }
}

/// A webhook delivery on the admin page, which also gets `state_label`, its state in
/// words, and `failed`, whether it can be retried or discarded.
#[derive(Debug, Serialize)]
pub(crate) struct WebhookDeliveryView {
    #[serde(flatten)]
    delivery: WebhookDeliveryBody,
    state_label: String,
    failed: bool,
}

impl WebhookDeliveryView {
    /// `d` with its state in words in `lang` (`admin-webhooks-state-<state>`).
    pub(crate) fn new(d: &WebhookDelivery, catalogues: &Catalogues, lang: &str) -> Self {
        let state = d.state.as_str();
        let key = format!("admin-webhooks-state-{state}");
        Self {
            delivery: WebhookDeliveryBody::new(d, RequestKind::Page),
            state_label: crate::localize::label(catalogues, lang, &key, state),
            failed: d.state == DeliveryState::Failed,
        }
    }
}

/// The longest device text shown when a User-Agent is not recognised.
const RAW_AGENT_CHARS: usize = 60;

/// A short name for the device behind a User-Agent, for device lists in `lang`: "Chrome
/// 156 on Linux", "Firefox 128 on Windows 10", "Safari 17 on iPhone" (the page text
/// `device-on-system`). Parsing is woothee's
/// (pattern tables kept by the Woothee project, shared by its ports to other languages);
/// an agent that is not a browser it knows (a script, curl, a test client) is shown as sent, cut at
/// [`RAW_AGENT_CHARS`] characters with an ellipsis. The full string stays available to
/// the page (`user_agent`).
pub(crate) fn device_summary(agent: &str, catalogues: &Catalogues, lang: &str) -> String {
    let agent = agent.trim();
    let known = |s: &str| !s.is_empty() && s != woothee::woothee::VALUE_UNKNOWN;
    // Only browsers and apps people hold get a summary: woothee also names scripts and
    // crawlers ("HTTP Library" for curl), whose own string says more.
    if let Some(found) = woothee::parser::Parser::new().parse(agent)
        && known(found.name)
        && matches!(
            found.category,
            "pc" | "smartphone" | "mobilephone" | "appliance"
        )
    {
        let mut text = found.name.to_owned();
        if let Some(major) = found.version.split('.').next().filter(|v| known(v)) {
            text.push(' ');
            text.push_str(major);
        }
        if known(found.os) && found.os != found.name {
            let system = match found.os {
                "Mac OSX" => "macOS",
                os => os,
            };
            return catalogues.text_with(
                lang,
                "device-on-system",
                &[("browser", &text), ("system", system)],
            );
        }
        return text;
    }
    match agent.char_indices().nth(RAW_AGENT_CHARS) {
        Some((cut, _)) => format!("{}…", agent[..cut].trim_end()),
        None => agent.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_summarised_by_name_major_version_and_system() {
        let c = Catalogues::shipped();
        let agents = [
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
                "Chrome 156 on Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
                "Firefox 128 on Windows 10",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
                "Safari 17 on macOS",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
                "Safari 17 on iPhone",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.6422.113 Mobile Safari/537.36",
                "Chrome 125 on Android",
            ),
        ];
        for (agent, summary) in agents {
            assert_eq!(device_summary(agent, &c, "en"), summary, "{agent}");
        }
        let (agent, _) = agents[0];
        assert_eq!(device_summary(agent, &c, "de"), "Chrome 156 unter Linux");
        assert_eq!(device_summary(agent, &c, "es"), "Chrome 156 en Linux");
    }

    #[test]
    fn unknown_agents_are_shown_as_sent_and_long_ones_cut() {
        let c = Catalogues::shipped();
        let summary = |agent: &str| device_summary(agent, &c, "de");
        assert_eq!(summary("blackbox-tests"), "blackbox-tests");
        assert_eq!(summary("test-browser/1.0"), "test-browser/1.0");
        assert_eq!(summary("  curl/8.5.0 "), "curl/8.5.0");
        let long = format!("my-sync-tool/2.0 ({})", "é".repeat(100));
        let shown = summary(&long);
        assert_eq!(shown.chars().count(), RAW_AGENT_CHARS + 1, "{shown}");
        assert!(shown.ends_with('…'));
        assert!(long.starts_with(shown.trim_end_matches('…')));
    }
}
