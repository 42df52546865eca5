//! What a client is told when a request fails: a status it can act on, a stable code,
//! a message and the offending fields. Built from [`auth_core::Error`] or by the layer
//! itself (CSRF, body limits, content types).

use std::collections::BTreeMap;
use std::time::Duration;

use auth_core::{Error, ValidationErrors};
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
    /// A sentence a person can act on.
    pub message: String,
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
    /// A human-readable reason.
    pub message: String,
}

impl Problem {
    /// A problem without fields.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
            retry_after: None,
        }
    }

    /// 400 for a list of field errors.
    pub fn validation(errors: &ValidationErrors) -> Self {
        let mut p = Self::new(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "Some fields need your attention.",
        );
        p.fields = errors
            .errors()
            .iter()
            .map(|e| FieldProblem {
                field: e.field.to_owned(),
                code: e.code.to_owned(),
                message: e.message.clone(),
            })
            .collect();
        p
    }

    /// 403: the CSRF token or the request's origin was refused.
    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "This form has expired or did not come from this site. Reload the page and try again.",
        )
    }

    /// 413: the body is larger than the limit.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("The request body is larger than {limit} bytes."),
        )
    }

    /// 404.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "There is nothing at this address.",
        )
    }

    /// 405.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "This address does not accept that method.",
        )
    }

    /// 401.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Sign in to continue.",
        )
    }

    /// 403 `insufficient_scope`: an API key without the scope the route requires.
    pub fn insufficient_scope() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "This API key does not carry the scope this route requires.",
        )
    }

    /// 403.
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "You do not have permission to do this.",
        )
    }

    /// 403 for a sensitive action whose session has no recent enough proof: the client
    /// re-authenticates (`POST /api/reauth`) and tries again.
    pub fn reauthentication_required() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "reauthentication_required",
            "Confirm it is you first: enter your password (or a code from your authenticator app) again.",
        )
    }

    /// 403 for anything but enrolling a second factor, for a user whose role requires
    /// one and who has none.
    pub fn second_factor_enrolment_required() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "second_factor_enrolment_required",
            "Your account needs a second factor: set up an authenticator app first.",
        )
    }

    /// 403 for routes that need a confirmed email address.
    pub fn email_not_verified() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "email_not_verified",
            "Confirm your email address first: follow the link we sent you.",
        )
    }

    /// 500 with nothing internal in it.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side. Please try again in a moment.",
        )
    }

    /// Maps an engine error. Errors that are not the client's fault are logged here
    /// (with their source chain, never with credentials) and described generically.
    pub fn from_error(error: &Error) -> Self {
        match error {
            Error::InvalidCredentials => Self::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "The email, username or password is incorrect.",
            ),
            Error::AccountLocked { retry_after } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "account_locked",
                format!(
                    "Too many failed attempts. Try again in {}.",
                    human(*retry_after)
                ),
            )
            .retry(*retry_after),
            Error::RateLimited { retry_after } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("Too many requests. Try again in {}.", human(*retry_after)),
            )
            .retry(*retry_after),
            Error::AccountDisabled => Self::new(
                StatusCode::FORBIDDEN,
                "account_disabled",
                "This account has been disabled.",
            ),
            Error::SignInRefused { message } => {
                Self::new(StatusCode::FORBIDDEN, "sign_in_refused", message.clone())
            }
            Error::EmailNotVerified => Self::email_not_verified(),
            Error::SecondFactorRequired => Self::new(
                StatusCode::UNAUTHORIZED,
                "second_factor_required",
                "This account signs in with a second factor.",
            ),
            Error::Validation(errors) => Self::validation(errors),
            Error::Token { reason, .. } => {
                let mut p = Self::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_token",
                    "This link is invalid, has expired or was already used.",
                );
                p.fields.push(FieldProblem {
                    field: "token".into(),
                    code: reason.as_str().into(),
                    message: "invalid or expired".into(),
                });
                p
            }
            Error::Unauthenticated => Self::unauthenticated(),
            Error::Forbidden => Self::forbidden(),
            Error::ReauthenticationRequired => Self::reauthentication_required(),
            Error::SecondFactorEnrolmentRequired => Self::second_factor_enrolment_required(),
            Error::Conflict { field } => {
                let mut p = Self::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    format!("This {field} is already taken."),
                );
                p.fields.push(FieldProblem {
                    field: field.as_str().into(),
                    code: "taken".into(),
                    message: format!("This {field} is already taken."),
                });
                p
            }
            Error::StaleVersion => Self::new(
                StatusCode::CONFLICT,
                "stale",
                "The account changed while you were editing it. Reload and try again.",
            ),
            Error::NotFound => Self::not_found(),
            Error::Unavailable { .. } => {
                tracing::warn!(error = %error, source = ?std::error::Error::source(error), "backend unavailable");
                let mut p = Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The service is temporarily unavailable. Please try again shortly.",
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

fn human(d: Duration) -> String {
    let s = d.as_secs().max(1);
    match s {
        1 => "a second".into(),
        2..=59 => format!("{s} seconds"),
        60..=119 => "a minute".into(),
        120..=3599 => format!("{} minutes", s.div_ceil(60)),
        _ => format!("{} hours", s.div_ceil(3600)),
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
            (Error::invalid("email", "bad"), 400, "validation_failed"),
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
        let p = Problem::from_error(&Error::invalid("email", "Enter an email address."));
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
