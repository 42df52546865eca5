//! What a client is told when a request fails: a status it can act on, a stable code,
//! a message and the offending fields. Built from [`auth_core::Error`] or by the layer
//! itself (CSRF, body limits, content types).

use std::collections::BTreeMap;
use std::time::Duration;

use auth_core::{Error, Message, ValidationErrors};
use http::StatusCode;
use serde::Serialize;

/// A failure as shown to the client. Serialised as the JSON API's error body
/// `{"error": {"code", "message", "fields"}}`; rendered as a page for HTML requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable machine-readable code (see the guide's table).
    pub code: &'static str,
    /// A sentence a person can act on, in English (see [`text`](Self::text)); change it
    /// with [`set_message`](Self::set_message) or [`set_text`](Self::set_text).
    pub message: String,
    /// The message as a message of the catalogues, which the web layer renders in the
    /// request's language; `None` for a text written elsewhere (an application hook's
    /// refusal), which is shown as written.
    pub text: Option<Message>,
    /// Field name to reason, for validation failures.
    pub fields: Vec<FieldProblem>,
    /// Seconds to wait before retrying (429 and 503).
    pub retry_after: Option<u64>,
}

/// One field's problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    /// The field name.
    pub field: String,
    /// A stable code (`required`, `too_short`, `mismatch`, `taken`, ...).
    pub code: String,
    /// A human-readable reason, in English.
    pub message: String,
    /// The reason as a message of the catalogues (see [`Problem::text`]).
    #[serde(skip)]
    pub reason: Option<Message>,
}

impl FieldProblem {
    /// A field's problem whose reason is a message of the catalogues.
    pub fn said(field: impl Into<String>, code: impl Into<String>, reason: Message) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: reason.english(),
            reason: Some(reason),
        }
    }
}

impl Problem {
    /// A problem without fields whose message is written here and shown as written in
    /// every language (prefer [`said`](Self::said)).
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            text: None,
            fields: Vec::new(),
            retry_after: None,
        }
    }

    /// A problem without fields whose message is a message of the catalogues.
    pub fn said(status: StatusCode, code: &'static str, text: Message) -> Self {
        Self {
            text: Some(text.clone()),
            ..Self::new(status, code, text.english())
        }
    }

    /// Replaces the message with `text`, a message of the catalogues.
    pub fn set_text(&mut self, text: Message) {
        self.message = text.english();
        self.text = Some(text);
    }

    /// Replaces the message with a text written elsewhere, shown as written.
    pub fn set_message(&mut self, message: impl Into<String>) {
        self.message = message.into();
        self.text = None;
    }

    /// 400 for a list of field errors.
    pub fn validation(errors: &ValidationErrors) -> Self {
        let mut p = Self::said(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            Message::new("error-validation_failed"),
        );
        p.fields = errors
            .errors()
            .iter()
            .map(|e| FieldProblem {
                field: e.field.to_owned(),
                code: e.code.to_owned(),
                message: e.message.clone(),
                reason: e.reason.clone(),
            })
            .collect();
        p
    }

    /// 403: the CSRF token or the request's origin was refused.
    pub fn csrf() -> Self {
        Self::said(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            Message::new("error-csrf_failed"),
        )
    }

    /// 413: the body is larger than the limit.
    pub fn too_large(limit: usize) -> Self {
        Self::said(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            Message::new("error-payload_too_large").arg("n", limit),
        )
    }

    /// 404.
    pub fn not_found() -> Self {
        Self::said(
            StatusCode::NOT_FOUND,
            "not_found",
            Message::new("error-not_found"),
        )
    }

    /// 405.
    pub fn method_not_allowed() -> Self {
        Self::said(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            Message::new("error-method_not_allowed"),
        )
    }

    /// 401.
    pub fn unauthenticated() -> Self {
        Self::said(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            Message::new("error-unauthenticated"),
        )
    }

    /// 403 `insufficient_scope`: an API key without the scope the route requires.
    pub fn insufficient_scope() -> Self {
        Self::said(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            Message::new("error-insufficient_scope"),
        )
    }

    /// 403.
    pub fn forbidden() -> Self {
        Self::said(
            StatusCode::FORBIDDEN,
            "forbidden",
            Message::new("error-forbidden"),
        )
    }

    /// 403 for a sensitive action whose session has no recent enough proof: the client
    /// re-authenticates (`POST /api/reauth`) and tries again.
    pub fn reauthentication_required() -> Self {
        Self::said(
            StatusCode::FORBIDDEN,
            "reauthentication_required",
            Message::new("error-reauthentication_required"),
        )
    }

    /// 403 for anything but enrolling a second factor, for a user whose role requires
    /// one and who has none.
    pub fn second_factor_enrolment_required() -> Self {
        Self::said(
            StatusCode::FORBIDDEN,
            "second_factor_enrolment_required",
            Message::new("error-second_factor_enrolment_required"),
        )
    }

    /// 403 for routes that need a confirmed email address.
    pub fn email_not_verified() -> Self {
        Self::said(
            StatusCode::FORBIDDEN,
            "email_not_verified",
            Message::new("error-email_not_verified"),
        )
    }

    /// 500 with nothing internal in it.
    pub fn internal() -> Self {
        Self::said(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            Message::new("error-internal"),
        )
    }

    /// Maps an engine error. Errors that are not the client's fault are logged here
    /// (with their source chain, never with credentials) and described generically.
    pub fn from_error(error: &Error) -> Self {
        match error {
            Error::InvalidCredentials => Self::said(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                Message::new("error-invalid_credentials"),
            ),
            Error::AccountLocked { retry_after } => Self::said(
                StatusCode::TOO_MANY_REQUESTS,
                "account_locked",
                Message::new("error-account_locked").arg_message("wait", wait(*retry_after)),
            )
            .retry(*retry_after),
            Error::RateLimited { retry_after } => Self::said(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                Message::new("error-rate_limited").arg_message("wait", wait(*retry_after)),
            )
            .retry(*retry_after),
            Error::AccountDisabled => Self::said(
                StatusCode::FORBIDDEN,
                "account_disabled",
                Message::new("error-account_disabled"),
            ),
            Error::SignInRefused { message } => {
                Self::new(StatusCode::FORBIDDEN, "sign_in_refused", message.clone())
            }
            Error::EmailNotVerified => Self::email_not_verified(),
            Error::SecondFactorRequired => Self::said(
                StatusCode::UNAUTHORIZED,
                "second_factor_required",
                Message::new("error-second_factor_required"),
            ),
            Error::Validation(errors) => Self::validation(errors),
            Error::Token { reason, .. } => {
                let mut p = Self::said(
                    StatusCode::BAD_REQUEST,
                    "invalid_token",
                    Message::new("error-invalid_token"),
                );
                p.fields.push(FieldProblem::said(
                    "token",
                    reason.as_str(),
                    Message::new("field-token"),
                ));
                p
            }
            Error::Unauthenticated => Self::unauthenticated(),
            Error::Forbidden => Self::forbidden(),
            Error::ReauthenticationRequired => Self::reauthentication_required(),
            Error::SecondFactorEnrolmentRequired => Self::second_factor_enrolment_required(),
            Error::Conflict { field } => {
                let taken = Message::new("error-conflict").arg("field", field);
                let mut p = Self::said(StatusCode::CONFLICT, "conflict", taken.clone());
                p.fields
                    .push(FieldProblem::said(field.as_str(), "taken", taken));
                p
            }
            Error::StaleVersion => {
                Self::said(StatusCode::CONFLICT, "stale", Message::new("error-stale"))
            }
            Error::NotFound => Self::not_found(),
            Error::Unavailable { .. } => {
                tracing::warn!(error = %error, source = ?std::error::Error::source(error), "backend unavailable");
                let mut p = Self::said(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    Message::new("error-unavailable"),
                );
                p.retry_after = Some(5);
                p
            }
            other => {
                tracing::error!(error = %other, source = ?std::error::Error::source(other), "request failed");
                Self::internal()
            }
        }
    }

    fn retry(mut self, after: Duration) -> Self {
        self.retry_after = Some(after.as_secs().max(1));
        self
    }

    /// The first message for `field`.
    pub fn field(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.as_str())
    }

    /// The JSON API body.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self.body()).unwrap_or_default()
    }

    /// The JSON API body, typed: `{"error": {"code", "message", "fields": {name: {"code",
    /// "message"}}}}`.
    pub(crate) fn body(&self) -> ErrorBody<'_> {
        ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
                fields: self
                    .fields
                    .iter()
                    .map(|f| {
                        (
                            f.field.as_str(),
                            FieldDetail {
                                code: &f.code,
                                message: &f.message,
                            },
                        )
                    })
                    .collect(),
            },
        }
    }
}

/// The JSON API's error body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ErrorBody)]
pub(crate) struct ErrorBody<'p> {
    error: ErrorDetail<'p>,
}

/// What failed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ErrorDetail)]
struct ErrorDetail<'p> {
    /// A stable machine-readable code (see the guide's table).
    code: &'static str,
    /// A sentence a person can act on.
    message: &'p str,
    /// By field name; a field named twice keeps its last problem.
    #[schema(value_type = BTreeMap<String, FieldDetail<'static>>)]
    fields: BTreeMap<&'p str, FieldDetail<'p>>,
}

/// One field's problem.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = FieldDetail)]
struct FieldDetail<'p> {
    /// A stable code (`required`, `too_short`, `mismatch`, `taken`, ...).
    code: &'p str,
    /// A human-readable reason.
    message: &'p str,
}

/// How long to wait, in words ("a second", "5 minutes"), as a message of the catalogues.
pub(crate) fn wait(d: Duration) -> Message {
    let s = d.as_secs().max(1);
    match s {
        1 => Message::new("duration-second"),
        2..=59 => Message::new("duration-seconds").arg("n", s),
        60..=119 => Message::new("duration-minute"),
        120..=3599 => Message::new("duration-minutes").arg("n", s.div_ceil(60)),
        _ => Message::new("duration-hours").arg("n", s.div_ceil(3600)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use auth_core::{TokenRejection, UniqueField};

    #[test]
    fn statuses_a_client_can_act_on() {
        let cases: Vec<(Error, u16, &str)> = vec![
            (Error::InvalidCredentials, 401, "invalid_credentials"),
            (Error::AccountDisabled, 403, "account_disabled"),
            (
                Error::SignInRefused {
                    message: "Not today.".into(),
                },
                403,
                "sign_in_refused",
            ),
            (Error::EmailNotVerified, 403, "email_not_verified"),
            (
                Error::invalid("email", Message::new("field-email-invalid")),
                400,
                "validation_failed",
            ),
            (Error::token(TokenRejection::Expired), 400, "invalid_token"),
            (Error::Unauthenticated, 401, "unauthenticated"),
            (Error::Forbidden, 403, "forbidden"),
            (
                Error::Conflict {
                    field: UniqueField::Email,
                },
                409,
                "conflict",
            ),
            (Error::StaleVersion, 409, "stale"),
            (Error::NotFound, 404, "not_found"),
            (Error::unavailable("db down"), 503, "unavailable"),
            (Error::backend("corrupt"), 500, "internal"),
            (Error::Config("x".into()), 500, "internal"),
        ];
        for (err, status, code) in cases {
            let p = Problem::from_error(&err);
            assert_eq!((p.status.as_u16(), p.code), (status, code), "{err:?}");
        }
    }

    #[test]
    fn throttling_carries_retry_after() {
        let p = Problem::from_error(&Error::RateLimited {
            retry_after: Duration::from_secs(90),
        });
        assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(p.retry_after, Some(90));
        let p = Problem::from_error(&Error::AccountLocked {
            retry_after: Duration::from_millis(10),
        });
        assert_eq!((p.code, p.retry_after), ("account_locked", Some(1)));
    }

    #[test]
    fn json_shape_is_stable() {
        let p = Problem::from_error(&Error::invalid(
            "email",
            Message::new("field-email-required"),
        ));
        let j = p.to_json();
        assert_eq!(j["error"]["code"], "validation_failed");
        assert_eq!(
            j["error"]["fields"]["email"]["message"],
            "Enter an email address."
        );
        let internal = Problem::from_error(&Error::backend("secret detail"));
        assert!(!internal.to_json().to_string().contains("secret detail"));
    }
}
