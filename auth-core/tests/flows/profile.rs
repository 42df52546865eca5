use auth_core::profile::ProfileField;
use auth_core::{
    AuditKind, Error, Page, ProfileSchema, ProfileUpdate, RegisterOutcome, Registration,
    RegistrationMode, UserStore,
};
use serde::{Deserialize, Serialize};

use crate::support::{PASSWORD, ctx, harness_with};

/// The company is required at registration only where the test signs up by hand (the
/// harness's own sign-ups give no profile).
fn schema_with(required: bool) -> ProfileSchema {
    let company = ProfileField::text("company")
        .max_length(20)
        .at_registration()
        .searchable();
    ProfileSchema::default()
        .field(if required {
            company.required()
        } else {
            company
        })
        .field(ProfileField::boolean("newsletter").at_registration())
        .field(ProfileField::one_of("plan", ["free", "pro"]).admin_only())
}

fn schema() -> ProfileSchema {
    schema_with(false)
}

fn signup(email: &str, profile: ProfileUpdate) -> Registration {
    Registration {
        email: email.into(),
        username: None,
        password: PASSWORD.into(),
        password_confirm: PASSWORD.into(),
        profile,
        language: None,
    }
}

fn codes(e: Error) -> Vec<(&'static str, &'static str)> {
    match e {
        Error::Validation(v) => v.errors().iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn registration_takes_its_fields_and_refuses_bad_ones_with_the_rest() {
    let h = harness_with(|c| {
        c.profile(schema_with(true))
            .registration(RegistrationMode::RevealConflicts)
    });
    let bad = h
        .auth
        .register(
            Registration {
                password_confirm: "other".into(),
                ..signup(
                    "a@example.com",
                    ProfileUpdate::new()
                        .set("plan", "pro")
                        .set("newsletter", "maybe"),
                )
            },
            &ctx(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        codes(bad),
        vec![
            ("newsletter", "invalid"),
            ("profile", "unknown_field"),
            ("company", "required"),
            ("password_confirm", "mismatch"),
        ]
    );
    let outcome = h
        .auth
        .register(
            signup(
                "a@example.com",
                ProfileUpdate::new()
                    .set("company", " Acme ")
                    .set("newsletter", "on"),
            ),
            &ctx(),
        )
        .await
        .unwrap();
    let RegisterOutcome::Created(user) = outcome else {
        panic!("created")
    };
    assert_eq!(user.profile.text("company"), Some("Acme"));
    assert_eq!(user.profile.get("newsletter"), Some(&true.into()));
}

#[tokio::test]
async fn owners_edit_their_fields_admins_every_field_and_both_are_audited() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Mine {
        company: String,
        newsletter: Option<bool>,
        display_name: Option<String>,
    }
    let h = harness_with(|c| c.profile(schema()));
    let user = h.registered_and_verified("b@example.com").await;
    let me = h.signed_in("b@example.com").await;
    let update = ProfileUpdate::from_struct(&Mine {
        company: "Initech".into(),
        newsletter: Some(false),
        display_name: Some("Bee".into()),
    })
    .unwrap();
    let saved = h.auth.update_profile(&me, &update, &ctx()).await.unwrap();
    assert_eq!(
        saved.profile.to_struct::<Mine>().unwrap(),
        Mine {
            company: "Initech".into(),
            newsletter: Some(false),
            display_name: Some("Bee".into()),
        }
    );
    assert_eq!(saved.shown_name(), "Bee");
    let refused = h
        .auth
        .update_profile(&me, &ProfileUpdate::new().set("plan", "pro"), &ctx())
        .await
        .unwrap_err();
    assert_eq!(codes(refused), vec![("profile", "unknown_field")]);
    let too_long = ProfileUpdate::new()
        .set("company", "x".repeat(21))
        .set("display_name", "Changed");
    let refused = h
        .auth
        .update_profile(&me, &too_long, &ctx())
        .await
        .unwrap_err();
    assert_eq!(codes(refused), vec![("company", "too_long")]);
    let stored = h.store.user_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(
        stored.profile.display_name(),
        Some("Bee"),
        "nothing half-written"
    );

    let root = h.admin().await;
    h.auth
        .admin_update_profile(
            &root,
            user.id,
            &ProfileUpdate::new().set("plan", "pro"),
            &ctx(),
        )
        .await
        .unwrap();
    let view = h.auth.admin_user(&root, user.id).await.unwrap();
    assert_eq!(view.user.profile.text("plan"), Some("pro"));
    let audited: Vec<_> = view
        .events
        .iter()
        .filter(|e| e.kind == AuditKind::ProfileChanged)
        .map(|e| (e.actor_id, e.detail.clone()))
        .collect();
    assert_eq!(
        audited,
        vec![
            (Some(root.user.id), Some("fields: plan".into())),
            (None, Some("fields: company,display_name,newsletter".into())),
        ]
    );

    // The admin search finds the account by its searchable company, not by the plan.
    let (found, total) = h
        .auth
        .admin_list_users(&root, Some("INITECH"), Page::default())
        .await
        .unwrap();
    assert_eq!((found.len(), total), (1, 1));
    assert_eq!(found[0].id, user.id);
    let (found, _) = h
        .auth
        .admin_list_users(&root, Some("pro"), Page::default())
        .await
        .unwrap();
    assert!(found.iter().all(|u| u.id != user.id));
}

#[tokio::test]
async fn a_removed_field_stays_stored_but_unseen_and_a_new_one_is_optional() {
    let h = harness_with(|c| c.profile(schema()));
    let user = h.registered_and_verified("c@example.com").await;
    let root = h.admin().await;
    h.auth
        .admin_update_profile(
            &root,
            user.id,
            &ProfileUpdate::new().set("plan", "free"),
            &ctx(),
        )
        .await
        .unwrap();
    // The same accounts under a schema without `plan` and with a new field.
    let later = schema()
        .without("plan")
        .field(ProfileField::url("homepage"));
    let view = later.view(
        &h.store.user_by_id(user.id).await.unwrap().unwrap().profile,
        auth_core::profile::Writer::Admin,
    );
    assert!(view.get("plan").is_none() && view.get("homepage").is_none());
    assert!(later.check().is_ok());
}
