//! API keys and the audit log natively over SQLite with every migration applied
//! (tests/support/native_store.rs): a key is found by the key text only while it is not
//! revoked, its text and hash never reach the audit log, and a failure in the middle of a
//! key's creation leaves no key behind.

// A test: a failure should panic where it happens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/native_store.rs"]
mod native_store;

use chrono::{DateTime, Duration, TimeZone, Utc};
use native_store::NativeSql;
use o2o_domain::auth::keys::{
    AuditQuery, KeyError, create_key, find_active, list_keys, read_audit, revoke_key,
};
use o2o_domain::auth::{ApiKey, Scope, Scopes};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap()
}

fn scopes(raw: &[&str]) -> Scopes {
    Scopes::parse(raw).unwrap()
}

#[test]
fn a_key_is_found_by_its_text_until_it_is_revoked() {
    let db = NativeSql::with_schema();
    let (record, key) = create_key(
        &db,
        "POS SH-1",
        &scopes(&["stock", "dispatch"]),
        "admin-bootstrap",
        [3; 32],
        now(),
    )
    .unwrap();
    assert!(record.id.starts_with("key-"));
    assert_eq!(record.label, key.label());

    let found = find_active(&db, &key).unwrap().expect("an active key");
    assert_eq!(found.id, record.id);
    assert!(found.scopes.allow(Scope::Dispatch));
    assert!(!found.scopes.allow(Scope::Catalog));
    assert_eq!(
        find_active(&db, &ApiKey::from_random([4; 32])).unwrap(),
        None
    );

    let revoked = revoke_key(&db, &record.id, "admin-bootstrap", now()).unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_eq!(find_active(&db, &key).unwrap(), None);
    // revoking again changes nothing and is not audited twice
    let again = revoke_key(&db, &record.id, "key-other", now() + Duration::hours(1)).unwrap();
    assert_eq!(again, revoked);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM audit_log"), 2);
    assert_eq!(
        revoke_key(&db, "key-nope", "admin-bootstrap", now()),
        Err(KeyError::NotFound("key-nope".into()))
    );
}

#[test]
fn the_audit_log_keeps_who_did_what_but_never_the_key() {
    let db = NativeSql::with_schema();
    let (record, key) = create_key(
        &db,
        "Ops",
        &scopes(&["admin"]),
        "admin-bootstrap",
        [9; 32],
        now(),
    )
    .unwrap();
    revoke_key(&db, &record.id, "admin-bootstrap", now()).unwrap();

    let entries = read_audit(
        &db,
        &AuditQuery {
            action_prefix: Some("api-key.".into()),
            limit: 10,
            ..AuditQuery::default()
        },
    )
    .unwrap();
    let actions: Vec<_> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["api-key.create", "api-key.revoke"]);
    assert_eq!(entries[0].actor, "admin-bootstrap");
    assert_eq!(entries[0].subject, record.id);
    assert_eq!(entries[0].after["name"], "Ops");
    assert_eq!(entries[1].before["revoked_at"], serde_json::Value::Null);
    assert!(entries[1].after["revoked_at"].is_string());
    let everything = db.scalar_text("SELECT group_concat(before || after, ' ') FROM audit_log");
    assert!(!everything.contains(key.as_str()));
    assert!(!everything.contains(&key.hash()));

    let only_later = read_audit(
        &db,
        &AuditQuery {
            after_id: entries[0].id,
            limit: 10,
            ..AuditQuery::default()
        },
    )
    .unwrap();
    assert_eq!(only_later.len(), 1);
    let by_someone_else = read_audit(
        &db,
        &AuditQuery {
            actor: Some("key-somebody".into()),
            limit: 10,
            ..AuditQuery::default()
        },
    )
    .unwrap();
    assert!(by_someone_else.is_empty());
}

#[test]
fn a_failed_audit_write_leaves_no_key() {
    let db = NativeSql::with_schema();
    db.fail_matching("INSERT INTO audit_log");
    let made = create_key(
        &db,
        "POS",
        &scopes(&["stock"]),
        "admin-bootstrap",
        [5; 32],
        now(),
    );
    assert!(matches!(made, Err(KeyError::Store(_))));
    db.heal();
    assert_eq!(db.scalar("SELECT COUNT(*) FROM api_keys"), 0);
}

#[test]
fn keys_are_listed_in_creation_order_a_page_at_a_time() {
    let db = NativeSql::with_schema();
    for (i, name) in ["a", "b", "c"].iter().enumerate() {
        create_key(
            &db,
            name,
            &scopes(&["reports"]),
            "admin-bootstrap",
            [i as u8; 32],
            now() + Duration::seconds(i as i64),
        )
        .unwrap();
    }
    let first = list_keys(&db, "", 2).unwrap();
    assert_eq!(
        first.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    let rest = list_keys(&db, &first[1].id, 2).unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].name, "c");
    assert_eq!(
        create_key(
            &db,
            "  ",
            &scopes(&["stock"]),
            "admin-bootstrap",
            [7; 32],
            now()
        )
        .map(|_| ()),
        Err(KeyError::BadName)
    );
}
