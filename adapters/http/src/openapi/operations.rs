//! Every endpoint of the JSON API: its method and path, what it reads and what it
//! answers, by type. One call each in [`api`], in the order of the router
//! (`flows::api`); [`Op`] adds what every endpoint shares (the error answers, the
//! credentials it accepts).

use std::collections::BTreeMap;

use utoipa::ToSchema;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::{ResponseBuilder, ResponsesBuilder};
use utoipa::openapi::schema::{ComponentsBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{Content, InfoBuilder, OpenApi, OpenApiBuilder, Paths, Ref, RefOr, Required};

use super::requests::{
    AccessTokenRequest, AdminActionRequest, CodeRequest, CodeResetRequest, CreateApiKeyRequest,
    DisableSecondFactorRequest, EmailChangeRequest, EmailCodeRequest, EmailCodeSignInRequest,
    EmailLinkSignInRequest, EmailRequest, IdRequest, LanguageRequest, LinkIdentityRequest,
    LinkTokenRequest, LoginRequest, PasskeyReauthRequest, PasskeyRegisterRequest,
    PasskeyRenameRequest, PasskeySecondFactorRequest, PasskeySignInRequest, PasskeySignUpRequest,
    PasswordChangeRequest, PasswordRequest, PendingRequest, ProfileRequest,
    ProviderCallbackRequest, ProviderStartRequest, ReauthRequest, RegisterRequest,
    ResetPasswordRequest, RevokeSessionRequest, SecondFactorRequest, UnlinkIdentityRequest,
};
use crate::flows::{
    ApiKeys, ChallengeReply, CreatedKey, EnrolmentReply, IdentitiesReply, IdentityReply,
    LinkRequired, PasskeyReply, PasskeysReply, PendingReply, PictureReply, ProviderStarted,
    ProvidersReply, RecoveryCodesReply, StatusReply, SteppedUp, TokenBody,
};
use crate::problem::ErrorBody;
use crate::responses::{
    Accepted, AdminUser, Created, FailedMails, Me, Removed, Revoked, Sessions, SignedIn, UserReply,
    Users, WebhookDeliveries,
};

/// The security schemes' names.
const COOKIE: &str = "sessionCookie";
const BEARER: &str = "bearerSession";
const API_KEY: &str = "apiKey";

/// Who may call an endpoint.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Anybody (a sign-in, a mailed link's token, ...).
    Public,
    /// A signed-in session, by cookie or bearer token.
    Session,
    /// A session or an API key.
    SessionOrKey,
}

/// The document under construction: its paths and the schemas they name.
struct Doc {
    mount: String,
    paths: Paths,
    schemas: BTreeMap<String, RefOr<Schema>>,
}

impl Doc {
    /// A reference to `T`'s schema, which (with the schemas it refers to) joins the
    /// document's components.
    fn schema<T: ToSchema>(&mut self) -> RefOr<Schema> {
        let name = T::name().into_owned();
        self.schemas.insert(name.clone(), T::schema());
        let mut more = Vec::new();
        T::schemas(&mut more);
        self.schemas.extend(more);
        Ref::from_schema_name(name).into()
    }

    fn get(&mut self, path: &str, id: &str, tag: &str, summary: &str) -> Op<'_> {
        self.op(HttpMethod::Get, path, id, tag, summary)
    }

    fn post(&mut self, path: &str, id: &str, tag: &str, summary: &str) -> Op<'_> {
        self.op(HttpMethod::Post, path, id, tag, summary)
    }

    fn op(&mut self, method: HttpMethod, path: &str, id: &str, tag: &str, summary: &str) -> Op<'_> {
        Op {
            path: format!("{}/api{path}", self.mount),
            method,
            operation: OperationBuilder::new()
                .operation_id(Some(id))
                .tag(tag)
                .summary(Some(summary)),
            responses: ResponsesBuilder::new(),
            access: Access::Public,
            reads_body: false,
            path_params: false,
            doc: self,
        }
    }
}

/// One endpoint under construction.
struct Op<'d> {
    doc: &'d mut Doc,
    path: String,
    method: HttpMethod,
    operation: OperationBuilder,
    responses: ResponsesBuilder,
    access: Access,
    reads_body: bool,
    path_params: bool,
}

impl Op<'_> {
    /// Only for a signed-in session.
    fn session(mut self) -> Self {
        self.access = Access::Session;
        self
    }

    /// For a session or an API key.
    fn session_or_key(mut self) -> Self {
        self.access = Access::SessionOrKey;
        self
    }

    fn describe(mut self, text: &str) -> Self {
        self.operation = self.operation.description(Some(text));
        self
    }

    /// Reads a JSON body of type `T`.
    fn body<T: ToSchema>(mut self) -> Self {
        let schema = self.doc.schema::<T>();
        self.operation = self.operation.request_body(Some(
            RequestBodyBuilder::new()
                .content("application/json", Content::new(Some(schema)))
                .required(Some(Required::True))
                .build(),
        ));
        self.reads_body = true;
        self
    }

    /// Reads no body (an empty one or `{}`; still sent as JSON).
    fn no_body(mut self) -> Self {
        self.reads_body = true;
        self
    }

    /// Reads the bytes of a picture.
    fn picture_body(mut self) -> Self {
        let bytes = ObjectBuilder::new()
            .schema_type(Type::String)
            .content_media_type("application/octet-stream")
            .build();
        let mut body = RequestBodyBuilder::new()
            .description(Some("The picture's bytes: PNG, JPEG or WebP."))
            .required(Some(Required::True));
        for media in [
            "image/png",
            "image/jpeg",
            "image/webp",
            "application/octet-stream",
        ] {
            body = body.content(media, Content::new(Some(bytes.clone())));
        }
        self.operation = self.operation.request_body(Some(body.build()));
        self.reads_body = true;
        self
    }

    /// A path parameter (a string), with its values when they are a fixed list.
    fn path_param(mut self, name: &str, text: &str, values: &[&str]) -> Self {
        let mut schema = ObjectBuilder::new().schema_type(Type::String);
        if !values.is_empty() {
            schema = schema.enum_values(Some(values.iter().copied()));
        }
        self.operation = self.operation.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some(text))
                .schema(Some(schema)),
        );
        self.path_params = true;
        self
    }

    /// A query parameter, a string.
    fn query(mut self, name: &str, text: &str) -> Self {
        self.operation = self.operation.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(text))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
        );
        self
    }

    /// Answers `status` with a JSON body of type `T`.
    fn answers<T: ToSchema>(self, status: u16, text: &str) -> Self {
        self.answers_linked::<T>(status, text, &[])
    }

    /// Answers `status` with a JSON body of type `T`, whose values the linked operations
    /// take (`(link name, operation id, request body of runtime expressions)`).
    fn answers_linked<T: ToSchema>(
        mut self,
        status: u16,
        text: &str,
        links: &[(&str, &str, serde_json::Value)],
    ) -> Self {
        let schema = self.doc.schema::<T>();
        let mut response = ResponseBuilder::new()
            .description(text)
            .content("application/json", Content::new(Some(schema)));
        for (name, operation, body) in links {
            response = response.link(
                *name,
                LinkBuilder::new()
                    .operation_id(*operation)
                    .request_body(Some(body.clone()))
                    .build(),
            );
        }
        self.responses = self
            .responses
            .response(status.to_string(), response.build());
        self
    }

    /// Answers `status` with a JSON body of type `A` or `B`.
    fn answers_either<A: ToSchema, B: ToSchema>(mut self, status: u16, text: &str) -> Self {
        let one_of = OneOfBuilder::new()
            .item(self.doc.schema::<A>())
            .item(self.doc.schema::<B>());
        let response = ResponseBuilder::new()
            .description(text)
            .content("application/json", Content::new(Some(one_of)));
        self.responses = self
            .responses
            .response(status.to_string(), response.build());
        self
    }

    /// Answers `status` without a body.
    fn empty(mut self, status: u16, text: &str) -> Self {
        self.responses = self.responses.response(
            status.to_string(),
            ResponseBuilder::new().description(text).build(),
        );
        self
    }

    /// Adds what every endpoint shares and puts it in the document.
    fn add(mut self) {
        let mut errors: Vec<(u16, &str)> = Vec::new();
        if self.reads_body {
            errors.push((400, "A field is missing or invalid (`fields` says which), or the body is not a JSON object."));
        }
        if self.access != Access::Public {
            errors.push((
                401,
                "Not signed in (no credential, or an unknown, expired or revoked one).",
            ));
        }
        errors.push((403, "Refused: a cross-site `Origin` for a cookie request (`csrf_failed`), a missing role or scope, a re-authentication or second-factor enrolment required."));
        if self.path_params || self.access == Access::Public {
            errors.push((
                404,
                "Nothing here (an unknown id, or a feature the application does not use).",
            ));
        }
        if self.reads_body {
            errors.push((
                415,
                "The body is not sent as `application/json` (or as a picture's type).",
            ));
        }
        errors.push((429, "Too many attempts: retry after `Retry-After` seconds."));
        for (status, text) in errors {
            let schema = self.doc.schema::<ErrorBody<'static>>();
            self.responses = self.responses.response(
                status.to_string(),
                ResponseBuilder::new()
                    .description(text)
                    .content("application/json", Content::new(Some(schema)))
                    .build(),
            );
        }
        let schema = self.doc.schema::<ErrorBody<'static>>();
        self.responses = self.responses.response(
            "default",
            ResponseBuilder::new()
                .description("Any other failure, in the same error shape (such as 413 for a body over the limit, 503 when a store is unavailable).")
                .content("application/json", Content::new(Some(schema)))
                .build(),
        );
        let mut security = vec![
            SecurityRequirement::new(COOKIE, Vec::<String>::new()),
            SecurityRequirement::new(BEARER, Vec::<String>::new()),
        ];
        if self.access == Access::SessionOrKey {
            security.push(SecurityRequirement::new(API_KEY, Vec::<String>::new()));
        }
        if self.access != Access::Public {
            self.operation = self.operation.securities(Some(security));
        }
        let operation = self.operation.responses(self.responses.build()).build();
        self.doc
            .paths
            .add_path_operation(&self.path, vec![self.method], operation);
    }
}

/// A link's request body: `field` from the answer at the JSON pointer `pointer`.
fn from_answer(field: &str, pointer: &str) -> serde_json::Value {
    serde_json::json!({ field: format!("$response.body#{pointer}") })
}

/// The document of the API mounted at `mount`.
pub(super) fn api(mount: &str) -> OpenApi {
    let mut d = Doc {
        mount: mount.to_owned(),
        paths: Paths::new(),
        schemas: BTreeMap::new(),
    };
    sign_in(&mut d);
    registration(&mut d);
    account(&mut d);
    second_factor(&mut d);
    passkeys(&mut d);
    keys_and_tokens(&mut d);
    providers(&mut d);
    admin(&mut d);
    d.get("/openapi.json", "openapiDocument", "meta", "This document")
        .empty(200, "The OpenAPI document (application/json).")
        .add();

    let components = ComponentsBuilder::new()
        .schemas_from_iter(d.schemas)
        .security_scheme(
            COOKIE,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "__Host-auth_session",
                "The session cookie of a cookie-mode sign-in (named `auth_session` when the site is not served over HTTPS). A state-changing request with it must be sent as `application/json` from an allowed `Origin`, which is the JSON API's CSRF protection (a cross-site page cannot send that without a CORS preflight the layer never grants).",
            ))),
        )
        .security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("session token")
                    .description(Some("`Authorization: Bearer <token>`, the `token` of a sign-in with `\"token_mode\": \"bearer\"`. Needs no CSRF protection."))
                    .build(),
            ),
        )
        .security_scheme(
            API_KEY,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("API key (ak_...)")
                    .description(Some("`Authorization: Bearer ak_...`, an API key (`POST /api/account/api_keys`). Accepted by `POST /api/token` and by the application's own routes that admit keys."))
                    .build(),
            ),
        )
        .build();
    let tags = [
        ("sign-in", "Signing in and out"),
        ("registration", "Accounts, addresses and passwords by mail"),
        ("account", "The signed-in account"),
        ("second factor", "The authenticator app"),
        ("passkeys", "Passkeys (WebAuthn)"),
        ("keys and tokens", "API keys and access tokens"),
        ("providers", "Sign-in with other providers"),
        ("admin", "Administration (role `admin`)"),
        ("meta", "About the API"),
    ]
    .map(|(name, text)| TagBuilder::new().name(name).description(Some(text)).build());
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("auth JSON API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some("The JSON API of the auth toolkit's web layer (`auth-http`). Errors answer `{\"error\": {\"code\", \"message\", \"fields\"}}`; see the guide's pages `web.md` and `programs.md`."))
                .build(),
        )
        .paths(d.paths)
        .components(Some(components))
        .tags(Some(tags))
        .build()
}

fn sign_in(d: &mut Doc) {
    let pending_links = [
        (
            "second_factor",
            "signInSecondFactor",
            from_answer("pending", "/pending"),
        ),
        (
            "second_factor_passkey",
            "signInSecondFactorPasskeyStart",
            from_answer("pending", "/pending"),
        ),
    ];
    d.post("/login", "signIn", "sign-in", "Sign in with a password")
        .body::<LoginRequest>()
        .answers::<SignedIn>(200, "Signed in: the session cookie is set, or with `token_mode: bearer` the token is in the body.")
        .answers_linked::<PendingReply>(202, "The password was right and the account has a second factor: send a code with `pending`.", &pending_links)
        .add();
    d.post(
        "/login/second_factor",
        "signInSecondFactor",
        "sign-in",
        "The second step of a sign-in: a code",
    )
    .body::<SecondFactorRequest>()
    .answers::<SignedIn>(200, "Signed in.")
    .add();
    d.post(
        "/login/email",
        "signInEmailRequest",
        "sign-in",
        "Mail a sign-in code and link",
    )
    .body::<EmailRequest>()
    .answers::<Accepted>(202, "Accepted, whether or not an account has the address.")
    .add();
    d.post(
        "/login/email/code",
        "signInEmailCode",
        "sign-in",
        "Sign in with a mailed code",
    )
    .body::<EmailCodeSignInRequest>()
    .answers::<SignedIn>(200, "Signed in.")
    .answers::<PendingReply>(
        202,
        "The account has a second factor: send a code with `pending`.",
    )
    .add();
    d.post(
        "/login/email/link",
        "signInEmailLink",
        "sign-in",
        "Sign in with the token of a mailed link",
    )
    .body::<EmailLinkSignInRequest>()
    .answers::<SignedIn>(200, "Signed in.")
    .answers::<PendingReply>(
        202,
        "The account has a second factor: send a code with `pending`.",
    )
    .add();
    d.post(
        "/login/passkey/start",
        "signInPasskeyStart",
        "sign-in",
        "Start a passkey sign-in",
    )
    .no_body()
    .answers_linked::<ChallengeReply<'static>>(
        200,
        "The challenge, for `navigator.credentials.get()`.",
        &[(
            "finish",
            "signInPasskeyFinish",
            from_answer("challenge", "/challenge"),
        )],
    )
    .add();
    d.post(
        "/login/passkey/finish",
        "signInPasskeyFinish",
        "sign-in",
        "Finish a passkey sign-in",
    )
    .body::<PasskeySignInRequest>()
    .answers::<SignedIn>(200, "Signed in.")
    .add();
    d.post(
        "/login/second_factor/passkey/start",
        "signInSecondFactorPasskeyStart",
        "sign-in",
        "A passkey as the second step: the challenge",
    )
    .body::<PendingRequest>()
    .answers::<ChallengeReply<'static>>(200, "The challenge, for `navigator.credentials.get()`.")
    .add();
    d.post(
        "/login/second_factor/passkey/finish",
        "signInSecondFactorPasskeyFinish",
        "sign-in",
        "A passkey as the second step: the answer",
    )
    .body::<PasskeySecondFactorRequest>()
    .answers::<SignedIn>(200, "Signed in.")
    .add();
    d.post("/logout", "signOut", "sign-in", "Sign out this session")
        .no_body()
        .empty(
            204,
            "Signed out (the cookie is cleared); also when nobody was signed in by cookie.",
        )
        .add();
    d.post(
        "/logout_everywhere",
        "signOutEverywhere",
        "sign-in",
        "Sign out every session of the account",
    )
    .session()
    .no_body()
    .answers::<Revoked>(200, "How many sessions ended.")
    .add();
    d.get("/me", "me", "sign-in", "Who is signed in, on which session")
        .session()
        .answers::<Me>(200, "The account and the current session.")
        .add();
    d.post(
        "/reauth",
        "reauthenticate",
        "sign-in",
        "Re-authenticate before a sensitive action",
    )
    .session()
    .body::<ReauthRequest>()
    .answers::<SteppedUp>(200, "The session, proved again.")
    .add();
    d.post(
        "/reauth/passkey/start",
        "reauthenticatePasskeyStart",
        "sign-in",
        "Start re-authenticating with a passkey",
    )
    .session()
    .no_body()
    .answers_linked::<ChallengeReply<'static>>(
        200,
        "The challenge, for `navigator.credentials.get()`, listing the account's passkeys.",
        &[(
            "finish",
            "reauthenticatePasskeyFinish",
            from_answer("challenge", "/challenge"),
        )],
    )
    .answers::<ErrorBody<'static>>(400, "The account has no passkey (`fields.credential`).")
    .answers::<ErrorBody<'static>>(404, "The application does not use passkeys.")
    .add();
    d.post(
        "/reauth/passkey/finish",
        "reauthenticatePasskeyFinish",
        "sign-in",
        "Re-authenticate with a passkey: the answer",
    )
    .session()
    .body::<PasskeyReauthRequest>()
    .answers::<SteppedUp>(200, "The session, proved again.")
    .answers::<ErrorBody<'static>>(404, "The application does not use passkeys.")
    .add();
}

fn registration(d: &mut Doc) {
    d.post("/register", "register", "registration", "Create an account")
        .body::<RegisterRequest>()
        .answers::<Created>(201, "Created (only when the application reveals conflicts).")
        .answers::<Accepted>(202, "Accepted: a confirmation link is on its way (the answer says nothing about existing accounts).")
        .add();
    d.post(
        "/register/passkey/start",
        "registerPasskeyStart",
        "registration",
        "Start creating an account with a passkey (when the application allows it)",
    )
    .body::<EmailRequest>()
    .answers_linked::<ChallengeReply<'static>>(
        200,
        "The challenge, for `navigator.credentials.create()`.",
        &[(
            "finish",
            "registerPasskeyFinish",
            from_answer("challenge", "/challenge"),
        )],
    )
    .add();
    d.post(
        "/register/passkey/finish",
        "registerPasskeyFinish",
        "registration",
        "Create the account with the new passkey",
    )
    .body::<PasskeySignUpRequest>()
    .answers::<Created>(201, "Created (only when the application reveals conflicts).")
    .answers::<Accepted>(202, "Accepted: a confirmation link is on its way (the answer says nothing about existing accounts).")
    .add();
    d.post(
        "/verify",
        "verifyEmail",
        "registration",
        "Confirm an address with the token of the mailed link",
    )
    .body::<LinkTokenRequest>()
    .answers::<UserReply>(200, "The account, its address confirmed.")
    .add();
    d.post(
        "/verify/code",
        "verifyEmailCode",
        "registration",
        "Confirm an address with the mailed code",
    )
    .body::<EmailCodeRequest>()
    .answers::<UserReply>(200, "The account, its address confirmed.")
    .add();
    d.post(
        "/verify/resend",
        "resendVerification",
        "registration",
        "Mail a new confirmation link",
    )
    .body::<EmailRequest>()
    .answers::<Accepted>(
        202,
        "Accepted, whether or not the address needs confirming.",
    )
    .add();
    d.post(
        "/request_password_reset",
        "requestPasswordReset",
        "registration",
        "Mail a link to choose a new password",
    )
    .body::<EmailRequest>()
    .answers::<Accepted>(202, "Accepted, whether or not an account has the address.")
    .add();
    d.post(
        "/reset_password",
        "resetPassword",
        "registration",
        "Choose a new password with the token of the mailed link",
    )
    .body::<ResetPasswordRequest>()
    .answers::<UserReply>(200, "The account; every session is signed out.")
    .add();
    d.post(
        "/password/reset/code",
        "resetPasswordCode",
        "registration",
        "Choose a new password with the mailed code",
    )
    .body::<CodeResetRequest>()
    .answers::<UserReply>(200, "The account; every session is signed out.")
    .add();
    for (path, id) in [
        ("/email/confirm", "confirmEmailChange"),
        ("/account/email/confirm", "confirmEmailChangeAccount"),
    ] {
        d.post(
            path,
            id,
            "registration",
            "Confirm a new address with the token of the mailed link",
        )
        .body::<LinkTokenRequest>()
        .answers::<UserReply>(
            200,
            "The account with its new address; every session is signed out.",
        )
        .add();
    }
}

fn account(d: &mut Doc) {
    d.post(
        "/account/profile",
        "updateProfile",
        "account",
        "Change the username or profile fields",
    )
    .session()
    .body::<ProfileRequest>()
    .answers::<UserReply>(200, "The account.")
    .add();
    d.post(
        "/account/language",
        "setLanguage",
        "account",
        "Choose the language of the account's mails",
    )
    .session()
    .body::<LanguageRequest>()
    .answers::<UserReply>(200, "The account with its language.")
    .add();
    d.post(
        "/account/password",
        "changePassword",
        "account",
        "Change the password",
    )
    .session()
    .body::<PasswordChangeRequest>()
    .answers::<UserReply>(200, "The account; other sessions are signed out.")
    .add();
    d.post(
        "/account/email",
        "changeEmail",
        "account",
        "Change the address (confirmed by a link to the new one)",
    )
    .session()
    .body::<EmailChangeRequest>()
    .answers::<Accepted>(202, "A confirmation link is on its way to the new address.")
    .add();
    d.post(
        "/account/delete",
        "deleteAccount",
        "account",
        "Delete the account",
    )
    .session()
    .body::<PasswordRequest>()
    .empty(204, "Deleted; the cookie is cleared.")
    .add();
    d.get(
        "/account/sessions",
        "listSessions",
        "account",
        "The account's sessions (devices)",
    )
    .session()
    .answers::<Sessions>(200, "The sessions, the current one marked.")
    .add();
    d.post(
        "/account/sessions/revoke",
        "revokeSession",
        "account",
        "Sign out one device",
    )
    .session()
    .body::<RevokeSessionRequest>()
    .empty(204, "Signed out.")
    .add();
    d.post(
        "/account/sessions/revoke_others",
        "revokeOtherSessions",
        "account",
        "Sign out every other device",
    )
    .session()
    .no_body()
    .answers::<Revoked>(200, "How many sessions ended.")
    .add();
    d.get(
        "/account/picture",
        "picture",
        "account",
        "The profile picture",
    )
    .session()
    .answers::<PictureReply>(200, "The picture, `null` for none.")
    .add();
    d.post(
        "/account/picture",
        "uploadPicture",
        "account",
        "Upload a profile picture",
    )
    .session()
    .picture_body()
    .answers::<PictureReply>(200, "The stored picture.")
    .add();
    d.post(
        "/account/picture/remove",
        "removePicture",
        "account",
        "Remove the profile picture",
    )
    .session()
    .no_body()
    .answers::<Removed>(200, "Whether there was one.")
    .add();
}

fn second_factor(d: &mut Doc) {
    d.get(
        "/account/second_factor",
        "secondFactorStatus",
        "second factor",
        "Whether the authenticator app is enrolled",
    )
    .session()
    .answers::<StatusReply>(200, "The status.")
    .add();
    d.post(
        "/account/second_factor/totp/start",
        "totpEnrolStart",
        "second factor",
        "Start enrolling an authenticator app",
    )
    .session()
    .no_body()
    .answers::<EnrolmentReply>(200, "The secret, waiting for its first code.")
    .add();
    d.post(
        "/account/second_factor/totp/finish",
        "totpEnrolFinish",
        "second factor",
        "Finish enrolling with a first code",
    )
    .session()
    .body::<CodeRequest>()
    .answers::<RecoveryCodesReply>(200, "Enrolled: the recovery codes, shown this once.")
    .add();
    d.post(
        "/account/second_factor/recovery_codes",
        "regenerateRecoveryCodes",
        "second factor",
        "New recovery codes",
    )
    .session()
    .body::<CodeRequest>()
    .answers::<RecoveryCodesReply>(200, "The new recovery codes, shown this once.")
    .add();
    d.post(
        "/account/second_factor/disable",
        "disableSecondFactor",
        "second factor",
        "Remove the authenticator app",
    )
    .session()
    .body::<DisableSecondFactorRequest>()
    .answers::<UserReply>(200, "The account.")
    .add();
}

fn passkeys(d: &mut Doc) {
    let by_id = [
        (
            "rename",
            "renamePasskey",
            from_answer("id", "/passkeys/0/id"),
        ),
        (
            "remove",
            "removePasskey",
            from_answer("id", "/passkeys/0/id"),
        ),
    ];
    d.get(
        "/account/passkeys",
        "listPasskeys",
        "passkeys",
        "The account's passkeys",
    )
    .session()
    .answers_linked::<PasskeysReply>(200, "The passkeys, oldest first.", &by_id)
    .add();
    d.post(
        "/account/passkeys/register/start",
        "registerPasskeyStart",
        "passkeys",
        "Start registering a passkey",
    )
    .session()
    .no_body()
    .answers_linked::<ChallengeReply<'static>>(
        200,
        "The challenge, for `navigator.credentials.create()`.",
        &[(
            "finish",
            "registerPasskeyFinish",
            from_answer("challenge", "/challenge"),
        )],
    )
    .add();
    d.post(
        "/account/passkeys/register/finish",
        "registerPasskeyFinish",
        "passkeys",
        "Finish registering a passkey",
    )
    .session()
    .body::<PasskeyRegisterRequest>()
    .answers::<PasskeyReply>(201, "The new passkey.")
    .add();
    d.post(
        "/account/passkeys/rename",
        "renamePasskey",
        "passkeys",
        "Rename a passkey",
    )
    .session()
    .body::<PasskeyRenameRequest>()
    .answers::<PasskeyReply>(200, "The passkey.")
    .add();
    d.post(
        "/account/passkeys/remove",
        "removePasskey",
        "passkeys",
        "Remove a passkey",
    )
    .session()
    .body::<IdRequest>()
    .answers::<Removed>(200, "Removed.")
    .add();
}

fn keys_and_tokens(d: &mut Doc) {
    d.get(
        "/account/api_keys",
        "listApiKeys",
        "keys and tokens",
        "The account's API keys",
    )
    .session()
    .answers_linked::<ApiKeys<'static>>(
        200,
        "The keys (never their secrets), and the scopes a new key may carry.",
        &[(
            "revoke",
            "revokeApiKey",
            from_answer("id", "/api_keys/0/id"),
        )],
    )
    .add();
    d.post(
        "/account/api_keys",
        "createApiKey",
        "keys and tokens",
        "Create an API key",
    )
    .session()
    .body::<CreateApiKeyRequest>()
    .answers_linked::<CreatedKey>(
        201,
        "The key, with its secret shown this once.",
        &[("revoke", "revokeApiKey", from_answer("id", "/api_key/id"))],
    )
    .add();
    d.post(
        "/account/api_keys/revoke",
        "revokeApiKey",
        "keys and tokens",
        "Revoke an API key",
    )
    .session()
    .body::<IdRequest>()
    .empty(204, "Revoked.")
    .add();
    d.post(
        "/account/api_keys/revoke_all",
        "revokeApiKeys",
        "keys and tokens",
        "Revoke every API key",
    )
    .session()
    .no_body()
    .answers::<Revoked>(200, "How many keys were revoked.")
    .add();
    d.post("/token", "accessToken", "keys and tokens", "An access token (a signed JWT) for the caller")
        .session_or_key()
        .describe("404 when the application issues no access tokens. Verify the token with the keys of `GET {mount}/.well-known/jwks.json`.")
        .body::<AccessTokenRequest>()
        .answers::<TokenBody>(200, "The token, shaped as an OAuth 2.0 token response.")
        .add();
}

fn providers(d: &mut Doc) {
    d.get(
        "/oidc/providers",
        "listProviders",
        "providers",
        "The sign-in providers",
    )
    .answers::<ProvidersReply>(200, "The providers, in the application's order.")
    .add();
    d.post(
        "/oidc/{name}/start",
        "providerStart",
        "providers",
        "Start signing in with a provider",
    )
    .path_param("name", "The provider's name.", &[])
    .body::<ProviderStartRequest>()
    .answers::<ProviderStarted>(
        200,
        "Where to send the browser; the flow is bound to this client by a cookie.",
    )
    .add();
    d.post("/oidc/{name}/callback", "providerCallback", "providers", "Finish signing in with a provider's answer")
        .path_param("name", "The provider's name.", &[])
        .body::<ProviderCallbackRequest>()
        .answers_either::<SignedIn, IdentityReply>(200, "Signed in; or, for a signed-in caller, the identity linked.")
        .answers_either::<PendingReply, LinkRequired>(202, "The account has a second factor; or an account has the address and its owner must confirm the link (`POST /api/oidc/link`).")
        .add();
    d.post(
        "/oidc/link",
        "linkIdentity",
        "providers",
        "Link a provider's identity to the signed-in account",
    )
    .session()
    .body::<LinkIdentityRequest>()
    .answers::<IdentityReply>(200, "The linked identity.")
    .add();
    d.get("/account/identities", "listIdentities", "providers", "The account's linked identities")
        .session()
        .answers_linked::<IdentitiesReply>(200, "The identities.", &[(
            "unlink",
            "unlinkIdentity",
            serde_json::json!({ "provider": "$response.body#/identities/0/provider", "subject": "$response.body#/identities/0/subject" }),
        )])
        .add();
    d.post(
        "/account/identities/unlink",
        "unlinkIdentity",
        "providers",
        "Unlink an identity",
    )
    .session()
    .body::<UnlinkIdentityRequest>()
    .empty(204, "Unlinked.")
    .add();
}

fn admin(d: &mut Doc) {
    d.get(
        "/admin/users",
        "adminUsers",
        "admin",
        "A page of the user list",
    )
    .session()
    .query("q", "Search in addresses and usernames.")
    .query("offset", "Users to skip (a whole number).")
    .query("limit", "Users on the page (a whole number, at most 100).")
    .answers::<Users>(200, "The page and the total.")
    .add();
    d.get("/admin/users/{id}", "adminUser", "admin", "One account")
        .session()
        .path_param("id", "The user's id.", &[])
        .answers::<AdminUser>(200, "The account, its sessions and recent events.")
        .add();
    d.post(
        "/admin/users/{id}/{action}",
        "adminUserAction",
        "admin",
        "Act on an account",
    )
    .session()
    .path_param("id", "The user's id.", &[])
    .path_param(
        "action",
        "What to do.",
        &[
            "disable",
            "enable",
            "unlock",
            "logout",
            "roles",
            "profile",
            "reset_second_factor",
        ],
    )
    .body::<AdminActionRequest>()
    .empty(204, "Done.")
    .add();
    d.get(
        "/admin/mail",
        "adminFailedMail",
        "admin",
        "Mail the outbox gave up on",
    )
    .session()
    .query("offset", "Mails to skip (a whole number).")
    .query("limit", "Mails on the page (a whole number).")
    .answers::<FailedMails>(200, "The page and the total.")
    .add();
    d.post(
        "/admin/mail/{id}/{action}",
        "adminMailAction",
        "admin",
        "Retry or discard a failed mail",
    )
    .session()
    .path_param("id", "The mail's id.", &[])
    .path_param("action", "What to do.", &["retry", "discard"])
    .no_body()
    .empty(204, "Done.")
    .add();
    d.get(
        "/admin/webhooks",
        "adminWebhookDeliveries",
        "admin",
        "Webhook deliveries in every state",
    )
    .session()
    .query("offset", "Deliveries to skip (a whole number).")
    .query(
        "limit",
        "Deliveries on the page (a whole number, at most 200).",
    )
    .answers::<WebhookDeliveries>(200, "The page (newest first) and the total.")
    .add();
    d.post(
        "/admin/webhooks/{id}/{action}",
        "adminWebhookAction",
        "admin",
        "Retry or discard a failed webhook delivery",
    )
    .session()
    .path_param("id", "The delivery's id (its `webhook-id`).", &[])
    .path_param("action", "What to do.", &["retry", "discard"])
    .no_body()
    .empty(204, "Done.")
    .add();
}
