use auth_core::{AccountStatus, AuditKind, Error, OperatorAction, Page};

use crate::support::{PASSWORD, harness};

#[tokio::test]
async fn an_operator_acts_through_the_machine_and_is_audited() {
    let h = harness();
    h.registered_and_verified("ops@example.com").await;
    let op = h.auth.operator();
    let user = op.find("OPS@example.com").await.unwrap();
    assert_eq!(op.find(&user.id.to_string()).await.unwrap().id, user.id);
    assert!(matches!(
        op.find("nobody@example.com").await,
        Err(Error::NotFound)
    ));
    let session = h.login("ops@example.com", PASSWORD).await.unwrap();

    let disabled = op.act(user.id, OperatorAction::Disable).await.unwrap();
    assert_eq!(disabled.status, AccountStatus::Disabled);
    assert!(h.auth.authenticate(&session.token).await.unwrap().is_none());
    assert!(h.login("ops@example.com", PASSWORD).await.is_err());
    op.act(user.id, OperatorAction::Enable).await.unwrap();
    h.login("ops@example.com", PASSWORD).await.unwrap();

    let roles = op
        .act(
            user.id,
            OperatorAction::SetRoles(vec!["Admin".into(), "editor".into()]),
        )
        .await
        .unwrap()
        .roles;
    assert_eq!(roles, ["admin", "editor"]);
    assert!(matches!(
        op.act(user.id, OperatorAction::SetRoles(vec!["no spaces".into()]))
            .await,
        Err(Error::Validation(_))
    ));
    op.act(user.id, OperatorAction::RevokeSessions)
        .await
        .unwrap();
    let view = op.user(user.id).await.unwrap();
    assert!(view.sessions.is_empty());
    let kinds: Vec<_> = view.events.iter().map(|e| e.kind).collect();
    for kind in [
        AuditKind::Disabled,
        AuditKind::Enabled,
        AuditKind::RolesChanged,
        AuditKind::ForcedLogout,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} in {kinds:?}");
    }
    let (listed, total) = op.list_users(Some("ops@"), Page::default()).await.unwrap();
    assert_eq!((listed.len(), total), (1, 1));

    op.act(user.id, OperatorAction::Delete).await.unwrap();
    assert!(matches!(
        op.find("ops@example.com").await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        op.act(user.id, OperatorAction::Unlock).await,
        Err(Error::NotFound)
    ));
}
