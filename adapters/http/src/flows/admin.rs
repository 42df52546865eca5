//! The admin area's users: `/admin` (the list), `/admin/users/{id}` and its actions, and
//! `/api/admin/users`, `/api/admin/users/{id}`, `/api/admin/users/{id}/{action}`.

use std::sync::Arc;

use auth_core::profile::Writer;
use auth_core::{AccountStatus, Authenticated, Catalogues, Page, UserId};
use http::StatusCode;
use serde::Serialize;
use serde_json::json;

use super::ApiFail;
use crate::fields::Fields;
use crate::flash::Flash;
use crate::input::Roles;
use crate::kind::RequestKind;
use crate::names::{UnknownName, named};
use crate::pages::field_errors;
use crate::problem::Problem;
use crate::profile;
use crate::reply::{Reply, Req};
use crate::responses::{AdminUser, Users};
use crate::templates::Template;
use crate::views::{
    EventBody, EventView, SecondFactorView, SessionBody, SessionView, UserBody, UserView,
};
use crate::{AuthWeb, Requirement};

/// Users per page in the admin list.
const ADMIN_PAGE: u64 = 25;

/// The users one API listing returns without a `limit`.
const DEFAULT_PAGE: u64 = 50;

/// The most users one API listing returns; a larger `limit` is clamped to it.
const MAX_PAGE: u64 = 200;

named! {
    /// What an administrator can do to an account: the last segment of
    /// `POST /admin/users/{id}/{action}`.
    #[derive(Serialize)]
    #[serde(into = "&'static str")]
    pub(crate) enum AdminAction {
        Disable => "disable",
        Enable => "enable",
        Unlock => "unlock",
        /// Sign out everywhere.
        Logout => "logout",
        /// Replace the roles (`roles`: a list).
        Roles => "roles",
        /// Write profile fields (any declared field, by name).
        Profile => "profile",
        /// Remove the authenticator app (audited, mailed to the owner).
        ResetSecondFactor => "reset_second_factor",
    }
}

impl From<AdminAction> for &'static str {
    fn from(action: AdminAction) -> Self {
        action.as_str()
    }
}

/// A button of the user page.
#[derive(Debug, Serialize)]
struct ActionButton {
    name: AdminAction,
    label: String,
    class: &'static str,
}

impl ActionButton {
    /// The button of `name`, labelled in `lang` (`admin-action-<name>`).
    fn new(name: AdminAction, catalogues: &Catalogues, lang: &str, class: &'static str) -> Self {
        let label = catalogues.text(lang, &format!("admin-action-{}", name.as_str()), None);
        Self { name, label, class }
    }
}

impl AuthWeb {
    /// The signed-in admin of a page, or the reply to send instead.
    pub(crate) async fn admin(&self, r: &Req) -> Result<Arc<Authenticated>, Reply> {
        let a = self.signed_in(r).await?;
        Requirement::admin(self.inner.auth.config())
            .admit(Some(a))
            .map_err(|(denial, a)| {
                let user = a.as_ref().map(|a| &a.user);
                self.refusal(r, RequestKind::Page, denial, user, &self.full_path(r))
            })
    }

    pub(super) async fn admin_list(&self, r: &Req) -> Reply {
        let a = match self.admin(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let query = Fields::from_query(r.query.as_deref());
        let search = query.optional("q");
        let offset = match query.offset() {
            Ok(offset) => offset,
            Err(errors) => {
                let mut p = Problem::validation(&errors);
                let catalogues = self.inner.auth.config().catalogues();
                let shown = crate::localize::problem(catalogues, &r.lang_tag(), &p);
                if let Some(f) = shown.fields.first() {
                    p.set_message(self.text_with(
                        r,
                        "refusal-query-not-usable",
                        &[("field", &f.field), ("reason", &f.message)],
                    ));
                }
                return self.problem_as(r, RequestKind::Page, &p, Some(&a.user));
            }
        };
        let page = Page {
            offset,
            limit: ADMIN_PAGE,
        };
        match self
            .inner
            .auth
            .admin_list_users(&a, search.as_deref(), page)
            .await
        {
            Ok((users, total)) => {
                for u in &users {
                    self.note_picture(r, u.id).await;
                }
                let users: Vec<UserView> = users
                    .iter()
                    .map(|u| {
                        let picture = r.picture_version(u.id).map(|v| self.picture_url(u.id, &v));
                        UserView::new(u, self.inner.auth.config(), picture)
                    })
                    .collect();
                self.page(
                    r,
                    StatusCode::OK,
                    Template::AdminUsers,
                    Some(&a.user),
                    json!({
                        "title": self.text(r, "title-users"),
                        "users": users,
                        "total": total,
                        "search": search.unwrap_or_default(),
                        "prev_offset": (offset > 0).then(|| offset.saturating_sub(ADMIN_PAGE)),
                        "next_offset": offset.checked_add(ADMIN_PAGE).filter(|next| *next < total),
                    }),
                )
            }
            Err(e) => self.problem(r, &Problem::from_error(&e)),
        }
    }

    pub(super) async fn admin_user_page(
        &self,
        r: &Req,
        id: &str,
        problem: Option<&Problem>,
    ) -> Reply {
        let a = match self.admin(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let Ok(id) = id.parse::<UserId>() else {
            return self.problem(r, &Problem::not_found());
        };
        match self.inner.auth.admin_user(&a, id).await {
            Ok(view) => {
                self.note_picture(r, view.user.id).await;
                let picture = r
                    .picture_version(view.user.id)
                    .map(|v| self.picture_url(view.user.id, &v));
                let subject = UserView::new(&view.user, self.inner.auth.config(), picture);
                let catalogues = self.inner.auth.config().catalogues();
                let lang_tag = r.lang_tag();
                let lang = lang_tag.as_str();
                let mut actions = Vec::new();
                if view.user.status == AccountStatus::Disabled {
                    actions.push(ActionButton::new(
                        AdminAction::Enable,
                        catalogues,
                        lang,
                        "secondary",
                    ));
                } else {
                    actions.push(ActionButton::new(
                        AdminAction::Disable,
                        catalogues,
                        lang,
                        "danger",
                    ));
                }
                if view.user.locked_until.is_some() {
                    actions.push(ActionButton::new(
                        AdminAction::Unlock,
                        catalogues,
                        lang,
                        "secondary",
                    ));
                }
                actions.push(ActionButton::new(
                    AdminAction::Logout,
                    catalogues,
                    lang,
                    "secondary",
                ));
                if view.user.second_factor.is_some() {
                    actions.push(ActionButton::new(
                        AdminAction::ResetSecondFactor,
                        catalogues,
                        lang,
                        "danger",
                    ));
                }
                let sessions: Vec<SessionView> = view
                    .sessions
                    .iter()
                    .map(|s| SessionView::new(s, false, catalogues, lang))
                    .collect();
                let events: Vec<EventView> = view
                    .events
                    .iter()
                    .map(|e| EventView::new(e, catalogues, lang))
                    .collect();
                let status = problem.map_or(StatusCode::OK, |p| p.status);
                self.page(
                    r,
                    status,
                    Template::AdminUser,
                    Some(&a.user),
                    json!({
                        "title": view.user.email,
                        "subject": subject,
                        "subject_second_factor": SecondFactorView::of(&view.user),
                        "actions": actions,
                        "sessions": sessions,
                        "events": events,
                        "subject_profile": profile::form_values(&view.user.profile, self.inner.auth.config().profile(), Writer::Admin),
                        "form_error": problem.map(|p| p.message.clone()),
                        "errors": problem.map(field_errors).unwrap_or_default(),
                    }),
                )
            }
            Err(e) => self.problem(r, &Problem::from_error(&e)),
        }
    }

    pub(super) async fn admin_post(&self, r: &Req, id_text: &str, action: &str) -> Reply {
        let fields = match self.submitted(r) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let a = match self.admin(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let (Ok(id), Ok(action)) = (id_text.parse::<UserId>(), action.parse::<AdminAction>())
        else {
            return self.problem(r, &Problem::not_found());
        };
        match self.admin_act(&a, id, action, &fields, r).await {
            Ok(()) => Reply::redirect(&format!("{}/admin/users/{id}", self.inner.prefix))
                .cookie(Flash::AdminDone.cookie(self)),
            Err(e) => {
                let page = format!("{}/admin/users/{id}", self.inner.prefix);
                if let Some(reply) = self.step_up_reply(&e, &page) {
                    return reply;
                }
                let p = Problem::from_error(&e);
                if p.status.is_client_error() && p.status != StatusCode::NOT_FOUND {
                    self.admin_user_page(r, id_text, Some(&p)).await
                } else {
                    self.problem(r, &p)
                }
            }
        }
    }

    /// Does `action` to the account `id`, for a page or the API alike.
    async fn admin_act(
        &self,
        a: &Authenticated,
        id: UserId,
        action: AdminAction,
        fields: &Fields,
        r: &Req,
    ) -> Result<(), auth_core::Error> {
        let auth = &self.inner.auth;
        match action {
            AdminAction::Disable => auth.admin_disable(a, id, &r.ctx).await,
            AdminAction::Enable => auth.admin_enable(a, id, &r.ctx).await,
            AdminAction::Unlock => auth.admin_unlock(a, id, &r.ctx).await,
            AdminAction::Logout => auth.admin_force_logout(a, id, &r.ctx).await,
            AdminAction::ResetSecondFactor => auth.admin_reset_second_factor(a, id, &r.ctx).await,
            AdminAction::Roles => {
                let Roles { roles } = fields.input().map_err(auth_core::Error::Validation)?;
                auth.admin_set_roles(a, id, roles, &r.ctx).await
            }
            AdminAction::Profile => {
                let form = r.kind() == RequestKind::Page;
                let update =
                    profile::update_from(fields, auth.config().profile(), Writer::Admin, form);
                auth.admin_update_profile(a, id, &update, &r.ctx)
                    .await
                    .map(drop)
            }
        }
    }

    /// `GET /api/admin/users?q=&offset=&limit=`: 200 `{"users", "total"}`.
    pub(super) async fn api_admin_users(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let q = Fields::from_query(r.query.as_deref());
        let offset = q.offset()?;
        let limit = q
            .whole_number("limit")?
            .unwrap_or(DEFAULT_PAGE)
            .clamp(1, MAX_PAGE);
        let search = q.optional("q");
        let (users, total) = self
            .inner
            .auth
            .admin_list_users(&a, search.as_deref(), Page { offset, limit })
            .await?;
        let users = users
            .iter()
            .map(|u| UserBody::for_admin(u, self.inner.auth.config().profile()))
            .collect();
        Ok(Reply::json(StatusCode::OK, &Users { users, total }))
    }

    /// `GET /api/admin/users/{id}`: 200 `{"user", "sessions", "events"}`.
    pub(super) async fn api_admin_user(&self, r: &Req, id: &str) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let view = self.inner.auth.admin_user(&a, parse_id(id)?).await?;
        let body = AdminUser {
            user: UserBody::for_admin(&view.user, self.inner.auth.config().profile()),
            sessions: view
                .sessions
                .iter()
                .map(|s| SessionBody::new(s, false, RequestKind::Api))
                .collect(),
            events: view
                .events
                .iter()
                .map(|e| EventBody::new(e, RequestKind::Api))
                .collect(),
        };
        Ok(Reply::json(StatusCode::OK, &body))
    }

    /// `POST /api/admin/users/{id}/{action}`: 204.
    pub(super) async fn api_admin_action(
        &self,
        r: &Req,
        id: &str,
        action: &str,
        f: &Fields,
    ) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let id = parse_id(id)?;
        let action = action
            .parse::<AdminAction>()
            .map_err(|UnknownName| ApiFail::Problem(Problem::not_found()))?;
        self.admin_act(&a, id, action, f, r).await?;
        Ok(Reply::new(StatusCode::NO_CONTENT))
    }
}

fn parse_id(id: &str) -> Result<UserId, ApiFail> {
    id.parse()
        .map_err(|_| ApiFail::Problem(Problem::not_found()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_back_by_name_and_nothing_else_does() {
        for action in [
            "disable",
            "enable",
            "unlock",
            "logout",
            "roles",
            "profile",
            "reset_second_factor",
        ] {
            let parsed: AdminAction = action.parse().unwrap();
            assert_eq!(parsed.to_string(), action);
            assert_eq!(serde_json::to_value(parsed).unwrap(), action);
        }
        for bad in ["", "Disable", "delete", "roles/x"] {
            assert_eq!(bad.parse::<AdminAction>(), Err(UnknownName), "{bad:?}");
        }
    }
}
