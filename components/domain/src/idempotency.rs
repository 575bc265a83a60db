//! Idempotency of mutating requests: the one module every route that takes an
//! `Idempotency-Key` goes through (CONVENTIONS.md, "Idempotency is one module"). A row of
//! `idempotency_requests` (`migrations/0011_idempotency_by_caller.sql`) holds the caller, the
//! route, the key, the hash of the request that first used it and, once that request
//! finished, its response.
//!
//! A key belongs to the caller who chose it and to the route it was sent to (`ScopedKey`):
//! the same text from two customers, or on two routes, is two independent keys, so one
//! caller can neither replay nor probe another's (issue 10).
//!
//! `begin` decides with one `INSERT … ON CONFLICT DO NOTHING`, inside the transaction of the
//! work it guards (issue 11): the request that inserted the row processes (`StartProcessing`)
//! and saves its answer with `record_response` before the commit, so the claim, the work and
//! the answer commit together or not at all, and a failed or killed request leaves its key
//! free. A later request with the same key and hash gets the saved response back; with a
//! different hash it is refused (422). `look_up` reads the same decision without claiming,
//! so that a finished request is answered before anything else is read. `InFlight` (409) is
//! left only for rows a request of the old layout claimed outside its transaction. Keys are
//! kept 24 hours (issue 5); an older row no longer binds its key.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use crate::storage::row::changed;
use crate::storage::{Sql, SqlValue, StoreError};
use crate::storage::{in_immediate_transaction, timestamp};

const FORGET_EXPIRED_KEY: &str = "DELETE FROM idempotency_requests \
     WHERE caller = ? AND route = ? AND key = ? AND created_at <= ?";
const CLAIM_KEY: &str = "INSERT INTO idempotency_requests \
     (caller, route, key, request_hash, created_at) VALUES (?, ?, ?, ?, ?) \
     ON CONFLICT (caller, route, key) DO NOTHING";
const SAVED: &str = "SELECT request_hash, response_status, response_body \
     FROM idempotency_requests WHERE caller = ? AND route = ? AND key = ?";
const LIVE: &str = "SELECT request_hash, response_status, response_body \
     FROM idempotency_requests WHERE caller = ? AND route = ? AND key = ? AND created_at > ?";
/// The key with its answer, in one statement: a new row, or the row of a key that no longer
/// binds (older than `?8`) replaced; a live row is left alone and nothing is answered.
const REMEMBER: &str = "INSERT INTO idempotency_requests \
     (caller, route, key, request_hash, created_at, response_status, response_body) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (caller, route, key) DO UPDATE SET \
     request_hash = excluded.request_hash, created_at = excluded.created_at, \
     response_status = excluded.response_status, response_body = excluded.response_body \
     WHERE idempotency_requests.created_at <= ?8 RETURNING 1";
const SAVE_RESPONSE: &str = "UPDATE idempotency_requests \
     SET response_status = ?, response_body = ? \
     WHERE caller = ? AND route = ? AND key = ? AND request_hash = ? \
     AND response_status IS NULL";

/// How long a key binds its first request's response.
pub fn kept_for() -> Duration {
    Duration::hours(24)
}

/// The value of an `Idempotency-Key` header: 1 to 255 visible ASCII characters (a uuid is the
/// usual choice; the IETF httpapi draft leaves the format to the server).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be 1 to {max} visible ASCII characters", max = IdempotencyKey::MAX_LEN)]
pub struct InvalidIdempotencyKey;

impl IdempotencyKey {
    pub const MAX_LEN: usize = 255;

    pub fn parse(raw: &str) -> Result<Self, InvalidIdempotencyKey> {
        let visible = raw.bytes().all(|b| b.is_ascii_graphic());
        if !raw.is_empty() && raw.len() <= Self::MAX_LEN && visible {
            Ok(IdempotencyKey(raw.to_owned()))
        } else {
            Err(InvalidIdempotencyKey)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A key as it is kept: whose it is (`Principal::caller`: `customer:<id>`, `key:<id>` or
/// `guest`) and the route it was sent to (`POST /orders`), with the key itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScopedKey {
    caller: String,
    route: String,
    key: IdempotencyKey,
}

impl ScopedKey {
    pub fn new(caller: impl Into<String>, route: impl Into<String>, key: IdempotencyKey) -> Self {
        ScopedKey {
            caller: caller.into(),
            route: route.into(),
            key,
        }
    }

    pub fn route(&self) -> &str {
        &self.route
    }

    /// The row's primary key as statement parameters: caller, route, key.
    pub(crate) fn params(&self) -> [SqlValue; 3] {
        [
            SqlValue::from(self.caller.as_str()),
            SqlValue::from(self.route.as_str()),
            SqlValue::from(self.key.as_str()),
        ]
    }

    pub(crate) fn describe(&self) -> String {
        format!(
            "idempotency key {} of {} on {}",
            self.key.as_str(),
            self.caller,
            self.route
        )
    }
}

/// SHA-256 (hex) of the route and the body bytes: "the same body" means the same bytes, as a
/// client retrying a request sends them. The route is part of it so that one key reused on
/// another route is a different request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHash(String);

impl RequestHash {
    pub fn of(route: &str, body: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(route.as_bytes());
        hasher.update([0]);
        hasher.update(body);
        let digest = hasher.finalize();
        RequestHash(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The response the first request with a key answered, replayed as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedResponse {
    pub status: u16,
    pub body: String,
}

/// What to do with a request carrying a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyOutcome {
    /// The key is new (or older than 24 hours): process, then `record_response`, in the
    /// same transaction as the claim.
    StartProcessing,
    /// Same key, same request, finished: answer this, change nothing.
    ReturnSavedResponse(SavedResponse),
    /// Same key, another request: refused with a 422.
    KeyReusedWithDifferentBody,
    /// Same key, same request, not finished yet: refused with a 409, retry later.
    InFlight,
}

/// What a request done once per key answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    /// Done now: the answer saved for the key.
    Done(SavedResponse),
    /// Done before: the saved answer, again.
    Replayed(SavedResponse),
}

/// A key that cannot serve this request: the caller used it for another request
/// (`KeyReusedWithDifferentBody`), or a row of the old layout is still `InFlight`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the Idempotency-Key cannot serve this request ({0:?})")]
pub struct KeyRefused(pub IdempotencyOutcome);

/// Runs `work` once per key, in one `BEGIN IMMEDIATE` transaction with the claim of the key
/// and the saving of its answer (issue 11): the work, the claim and the answer commit
/// together or not at all, so a failure or a killed instance leaves the key free and nothing
/// written; a twin request with the key waits for the lock and then replays the answer. Call
/// `look_up` first to answer a finished request before reading anything else.
pub fn once_per_key<E: From<StoreError> + From<KeyRefused>>(
    db: &impl Sql,
    key: &ScopedKey,
    hash: &RequestHash,
    now: DateTime<Utc>,
    work: impl FnOnce() -> Result<SavedResponse, E>,
) -> Result<Answered, E> {
    in_immediate_transaction(db, || match begin(db, key, hash, now)? {
        IdempotencyOutcome::StartProcessing => {
            let saved = work()?;
            record_response(db, key, hash, &saved)?;
            Ok(Answered::Done(saved))
        }
        IdempotencyOutcome::ReturnSavedResponse(saved) => Ok(Answered::Replayed(saved)),
        refused => Err(KeyRefused(refused).into()),
    })
}

/// Claims `key` for the request hashed `hash`, or says what the earlier use of it decided.
/// Inside the caller's `BEGIN IMMEDIATE` transaction, so that the claim commits with the work
/// or not at all, and a concurrent request with the key waits for the lock instead.
pub fn begin(
    db: &impl Sql,
    key: &ScopedKey,
    hash: &RequestHash,
    now: DateTime<Utc>,
) -> Result<IdempotencyOutcome, StoreError> {
    let [caller, route, key_text] = key.params();
    db.execute(
        FORGET_EXPIRED_KEY,
        &[
            caller.clone(),
            route.clone(),
            key_text.clone(),
            SqlValue::Text(timestamp(now - kept_for())),
        ],
    )?;
    let claimed = changed(
        db,
        CLAIM_KEY,
        &[
            caller,
            route,
            key_text,
            SqlValue::from(hash.as_str()),
            SqlValue::Text(timestamp(now)),
        ],
    )?;
    if claimed == 1 {
        return Ok(IdempotencyOutcome::StartProcessing);
    }
    let saved = db.execute(SAVED, &key.params())?;
    match saved.rows.first() {
        Some(row) => decision_of(key, hash, row),
        // Deleted between our insert and our read (expired and forgotten by a concurrent
        // claim): the caller may simply retry; say so rather than process without a claim.
        None => Ok(IdempotencyOutcome::InFlight),
    }
}

/// What an earlier use of `key` decided, without claiming it: `StartProcessing` when the key
/// is free. A request that claims its key inside its own transaction (place-order) looks up
/// first, so that a finished request is answered again before anything else is read.
pub fn look_up(
    db: &impl Sql,
    key: &ScopedKey,
    hash: &RequestHash,
    now: DateTime<Utc>,
) -> Result<IdempotencyOutcome, StoreError> {
    let [caller, route, key_text] = key.params();
    let rows = db.execute(
        LIVE,
        &[
            caller,
            route,
            key_text,
            SqlValue::Text(timestamp(now - kept_for())),
        ],
    )?;
    match rows.rows.first() {
        None => Ok(IdempotencyOutcome::StartProcessing),
        Some(row) => decision_of(key, hash, row),
    }
}

/// Binds `key` to the answer of the request hashed `hash`, inside that request's transaction,
/// which read the key first (with `look_up`, or `decision_of` on a row read with its other
/// facts) and holds the write lock since: one statement where `begin` and `record_response`
/// take two or more (issue 12).
pub fn remember(
    db: &impl Sql,
    key: &ScopedKey,
    hash: &RequestHash,
    now: DateTime<Utc>,
    response: &SavedResponse,
) -> Result<(), StoreError> {
    let [caller, route, key_text] = key.params();
    let kept = db.execute(
        REMEMBER,
        &[
            caller,
            route,
            key_text,
            SqlValue::from(hash.as_str()),
            SqlValue::Text(timestamp(now)),
            SqlValue::Integer(i64::from(response.status)),
            SqlValue::from(response.body.as_str()),
            SqlValue::Text(timestamp(now - kept_for())),
        ],
    )?;
    if kept.rows.is_empty() {
        return Err(StoreError::Corrupt(format!(
            "{} was taken by another request under this request's lock",
            key.describe()
        )));
    }
    Ok(())
}

/// What a stored row of `key` (its hash, status and body, as `LIVE` reads them) says to a
/// request hashed `hash`; public for a request that read the row with its other facts.
pub fn decision_of(
    key: &ScopedKey,
    hash: &RequestHash,
    row: &[SqlValue],
) -> Result<IdempotencyOutcome, StoreError> {
    let corrupt = || StoreError::Corrupt(format!("{} row", key.describe()));
    let Some(SqlValue::Text(stored_hash)) = row.first() else {
        return Err(corrupt());
    };
    if stored_hash != hash.as_str() {
        return Ok(IdempotencyOutcome::KeyReusedWithDifferentBody);
    }
    match (row.get(1), row.get(2)) {
        (Some(SqlValue::Null), _) => Ok(IdempotencyOutcome::InFlight),
        (Some(SqlValue::Integer(status)), Some(SqlValue::Text(body))) => {
            let status = u16::try_from(*status).map_err(|_| corrupt())?;
            Ok(IdempotencyOutcome::ReturnSavedResponse(SavedResponse {
                status,
                body: body.clone(),
            }))
        }
        _ => Err(corrupt()),
    }
}

/// Saves the response of the request that claimed `key`; later requests replay it.
pub fn record_response(
    db: &impl Sql,
    key: &ScopedKey,
    hash: &RequestHash,
    response: &SavedResponse,
) -> Result<(), StoreError> {
    let [caller, route, key_text] = key.params();
    let saved = changed(
        db,
        SAVE_RESPONSE,
        &[
            SqlValue::Integer(i64::from(response.status)),
            SqlValue::from(response.body.as_str()),
            caller,
            route,
            key_text,
            SqlValue::from(hash.as_str()),
        ],
    )?;
    match saved {
        1 => Ok(()),
        _ => Err(StoreError::Corrupt(format!(
            "{} was not claimed by this request",
            key.describe()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    use o2o_test_stores::NativeSql as Sqlite;

    /// SQLite in memory with 0011's `idempotency_requests` table (0004's before it, which
    /// 0011 replaces).
    fn with_idempotency_keys() -> Sqlite {
        let db = Sqlite::empty();
        db.batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT);
             CREATE TABLE stores (id TEXT PRIMARY KEY);
             CREATE TABLE reservations (id TEXT PRIMARY KEY);",
        );
        db.batch(include_str!("../../../migrations/0004_idempotency.sql"));
        db.batch(include_str!(
            "../../../migrations/0011_idempotency_by_caller.sql"
        ));
        db
    }

    fn rows(db: &Sqlite) -> i64 {
        db.scalar("SELECT COUNT(*) FROM idempotency_requests")
    }

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, hour, 0, 0).unwrap()
    }

    /// `raw` as `caller`'s key on `route`.
    fn key_of(caller: &str, route: &str, raw: &str) -> ScopedKey {
        ScopedKey::new(caller, route, IdempotencyKey::parse(raw).unwrap())
    }

    /// `raw` as customer cust-1's key on `POST /orders`.
    fn key(raw: &str) -> ScopedKey {
        key_of("customer:cust-1", "POST /orders", raw)
    }

    fn created() -> SavedResponse {
        SavedResponse {
            status: 201,
            body: r#"{"id":"order-1"}"#.into(),
        }
    }

    #[test]
    fn first_request_with_a_key_starts_processing() {
        let db = with_idempotency_keys();
        let hash = RequestHash::of("POST /orders", b"{}");
        assert_eq!(
            begin(&db, &key("k-1"), &hash, at(10)),
            Ok(IdempotencyOutcome::StartProcessing)
        );
        assert_eq!(rows(&db), 1);
    }

    #[test]
    fn second_request_with_same_key_and_body_gets_the_saved_response() {
        let db = with_idempotency_keys();
        let hash = RequestHash::of("POST /orders", b"{\"cart_id\":\"c\"}");
        begin(&db, &key("k-1"), &hash, at(10)).unwrap();
        record_response(&db, &key("k-1"), &hash, &created()).unwrap();

        let again = RequestHash::of("POST /orders", b"{\"cart_id\":\"c\"}");
        assert_eq!(
            begin(&db, &key("k-1"), &again, at(11)),
            Ok(IdempotencyOutcome::ReturnSavedResponse(created()))
        );
        assert_eq!(rows(&db), 1);
    }

    #[test]
    fn same_key_with_a_different_body_is_refused() {
        let db = with_idempotency_keys();
        let first = RequestHash::of("POST /orders", b"{\"cart_id\":\"a\"}");
        begin(&db, &key("k-1"), &first, at(10)).unwrap();
        record_response(&db, &key("k-1"), &first, &created()).unwrap();

        let other = RequestHash::of("POST /orders", b"{\"cart_id\":\"b\"}");
        assert_eq!(
            begin(&db, &key("k-1"), &other, at(10)),
            Ok(IdempotencyOutcome::KeyReusedWithDifferentBody)
        );
    }

    #[test]
    fn the_same_key_on_another_route_is_an_independent_key() {
        let db = with_idempotency_keys();
        let orders = RequestHash::of("POST /orders", b"{}");
        begin(&db, &key("k-1"), &orders, at(10)).unwrap();
        let refunds = key_of("customer:cust-1", "POST /refunds", "k-1");
        let refund = RequestHash::of("POST /refunds", b"{}");
        assert_eq!(
            begin(&db, &refunds, &refund, at(10)),
            Ok(IdempotencyOutcome::StartProcessing)
        );
    }

    #[test]
    fn the_same_key_from_another_caller_is_an_independent_key() {
        let db = with_idempotency_keys();
        let hash = RequestHash::of("POST /orders", b"{}");
        begin(&db, &key("k-1"), &hash, at(10)).unwrap();
        record_response(&db, &key("k-1"), &hash, &created()).unwrap();

        // Another customer with the same key and the very same body processes his own
        let bob = key_of("customer:cust-2", "POST /orders", "k-1");
        assert_eq!(
            begin(&db, &bob, &hash, at(10)),
            Ok(IdempotencyOutcome::StartProcessing)
        );
        // and with another body he is not told the key exists either
        let staff = key_of("key:key-1", "POST /orders", "k-1");
        let other = RequestHash::of("POST /orders", b"{\"x\":1}");
        assert_eq!(
            begin(&db, &staff, &other, at(10)),
            Ok(IdempotencyOutcome::StartProcessing)
        );
        assert_eq!(
            begin(&db, &key("k-1"), &hash, at(11)),
            Ok(IdempotencyOutcome::ReturnSavedResponse(created()))
        );
    }

    #[test]
    fn migration_0011_moves_finished_keys_to_their_callers() {
        let db = Sqlite::empty();
        db.batch("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT);");
        db.batch(include_str!("../../../migrations/0004_idempotency.sql"));
        db.batch(
            r#"INSERT INTO idempotency_keys VALUES
                 ('order-key', 'h1', 201, '{"id":"o-1","customer_id":"cust-1"}', '2026-11-25T10:00:00Z'),
                 ('refund-key', 'h2', 201, '{"id":"r-1","order_id":"o-1","customer_id":"cust-1","requested_by":"staff:key-9"}', '2026-11-25T10:00:00Z'),
                 ('running', 'h3', NULL, NULL, '2026-11-25T10:00:00Z');"#,
        );
        let migration = include_str!("../../../migrations/0011_idempotency_by_caller.sql");
        db.batch(migration);
        db.batch(migration);

        let moved: Vec<(String, String, String)> = db
            .connection()
            .prepare("SELECT caller, route, key FROM idempotency_requests ORDER BY key")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let row = |c: &str, r: &str, k: &str| (c.to_owned(), r.to_owned(), k.to_owned());
        assert_eq!(
            moved,
            [
                row("customer:cust-1", "POST /orders", "order-key"),
                row("key:key-9", "POST /refunds", "refund-key"),
            ]
        );
    }

    #[test]
    fn a_key_still_being_processed_is_in_flight() {
        let db = with_idempotency_keys();
        let hash = RequestHash::of("POST /orders", b"{}");
        begin(&db, &key("k-1"), &hash, at(10)).unwrap();
        assert_eq!(
            begin(&db, &key("k-1"), &hash, at(10)),
            Ok(IdempotencyOutcome::InFlight)
        );
    }

    #[test]
    fn a_response_is_recorded_only_by_the_request_that_claimed_the_key() {
        let db = with_idempotency_keys();
        let hash = RequestHash::of("POST /orders", b"{}");
        assert!(record_response(&db, &key("k-1"), &hash, &created()).is_err());
        begin(&db, &key("k-1"), &hash, at(10)).unwrap();
        record_response(&db, &key("k-1"), &hash, &created()).unwrap();
        assert!(record_response(&db, &key("k-1"), &hash, &created()).is_err());
    }

    #[test]
    fn keys_are_kept_24_hours_then_free_again() {
        let db = with_idempotency_keys();
        let first = RequestHash::of("POST /orders", b"{\"a\":1}");
        begin(&db, &key("k-1"), &first, at(0)).unwrap();
        record_response(&db, &key("k-1"), &first, &created()).unwrap();

        let other = RequestHash::of("POST /orders", b"{\"a\":2}");
        let almost_a_day = at(23) + Duration::minutes(59);
        assert_eq!(
            begin(&db, &key("k-1"), &other, almost_a_day),
            Ok(IdempotencyOutcome::KeyReusedWithDifferentBody)
        );
        let a_day_later = at(0) + kept_for();
        assert_eq!(
            begin(&db, &key("k-1"), &other, a_day_later),
            Ok(IdempotencyOutcome::StartProcessing)
        );
    }

    #[test]
    fn idempotency_key_is_1_to_255_visible_ascii_characters() {
        assert!(IdempotencyKey::parse("0192f6c4-6a2e-7c3b-9d1e-3f5a7b9c1d2e").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(255)).is_ok());
        assert_eq!(IdempotencyKey::parse(""), Err(InvalidIdempotencyKey));
        assert_eq!(
            IdempotencyKey::parse(&"k".repeat(256)),
            Err(InvalidIdempotencyKey)
        );
        assert_eq!(IdempotencyKey::parse("a key"), Err(InvalidIdempotencyKey));
        assert_eq!(IdempotencyKey::parse("clé"), Err(InvalidIdempotencyKey));
    }

    #[test]
    fn request_hash_is_sha256_hex_and_tells_bodies_apart() {
        let hash = RequestHash::of("POST /orders", b"{}");
        assert_eq!(hash.as_str().len(), 64);
        assert_eq!(hash, RequestHash::of("POST /orders", b"{}"));
        assert_ne!(hash, RequestHash::of("POST /orders", b"{ }"));
    }
}
