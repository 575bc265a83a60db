//! Native stand-ins for the stores, shared by the domain's integration tests and benchmarks:
//! SQLite (rusqlite, in memory, with every migration of `migrations/` applied as Spin's
//! `--sqlite @file` would) behind the domain's `Sql` trait, with sabotage (a statement
//! containing a fragment fails), an in-memory key-value store, and a fixed-price pricer for
//! place-order (list prices, no promotions: the pricing engine has its own tests).

#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use o2o_domain::order::{FrozenLine, FrozenQuote, PlaceOrderError, PriceAsk, Priced, Pricer};
use o2o_domain::storage::{KeyValue, Sql, SqlRows, SqlValue, StoreError};
use o2o_domain::{Currency, Money, QuoteId};
use rust_decimal::Decimal;

pub struct NativeSql {
    conn: rusqlite::Connection,
    failing: RefCell<Vec<String>>,
}

impl NativeSql {
    /// A fresh database with every migration applied.
    pub fn with_schema() -> Self {
        let conn = rusqlite::Connection::open_in_memory().expect("in-memory sqlite");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("migrations/")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort();
        for file in files {
            let sql = std::fs::read_to_string(&file).expect("readable migration");
            conn.execute_batch(&sql)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        }
        NativeSql {
            conn,
            failing: RefCell::new(Vec::new()),
        }
    }

    /// Every statement containing `fragment` fails from now on.
    pub fn fail_matching(&self, fragment: &str) {
        self.failing.borrow_mut().push(fragment.to_owned());
    }

    pub fn heal(&self) {
        self.failing.borrow_mut().clear();
    }

    pub fn batch(&self, sql: &str) {
        self.conn.execute_batch(sql).expect("batch");
    }

    /// What SQLite's `EXPLAIN QUERY PLAN` says of `sql`, a line a step.
    pub fn query_plan(&self, sql: &str) -> Vec<String> {
        let mut stmt = self
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let params = stmt.parameter_count();
        let nulls = vec![rusqlite::types::Value::Null; params];
        stmt.query_map(rusqlite::params_from_iter(nulls), |row| {
            row.get::<_, String>(3)
        })
        .expect("a plan")
        .map(|step| step.expect("a plan step"))
        .collect()
    }

    pub fn scalar(&self, sql: &str) -> i64 {
        self.conn
            .query_row(sql, [], |row| row.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

impl NativeSql {
    /// A text scalar ('' for NULL).
    pub fn scalar_text(&self, sql: &str) -> String {
        self.conn
            .query_row(sql, [], |row| row.get::<_, Option<String>>(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .unwrap_or_default()
    }
}

impl Sql for NativeSql {
    fn execute(&self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError> {
        use rusqlite::types::{Value, ValueRef};
        if self
            .failing
            .borrow()
            .iter()
            .any(|f| statement.contains(f.as_str()))
        {
            return Err(StoreError::Unavailable("injected fault".into()));
        }
        let unavailable = |e: rusqlite::Error| StoreError::Unavailable(e.to_string());
        let mut stmt = self.conn.prepare(statement).map_err(unavailable)?;
        let params = params.iter().map(|p| match p {
            SqlValue::Integer(v) => Value::Integer(*v),
            SqlValue::Real(v) => Value::Real(*v),
            SqlValue::Text(v) => Value::Text(v.clone()),
            SqlValue::Blob(v) => Value::Blob(v.clone()),
            SqlValue::Null => Value::Null,
        });
        let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params))
            .map_err(unavailable)?;
        let mut out = SqlRows {
            columns: columns.clone(),
            rows: Vec::new(),
        };
        while let Some(row) = rows.next().map_err(unavailable)? {
            let values = (0..columns.len())
                .map(|i| match row.get_ref(i).expect("column") {
                    ValueRef::Null => SqlValue::Null,
                    ValueRef::Integer(v) => SqlValue::Integer(v),
                    ValueRef::Real(v) => SqlValue::Real(v),
                    ValueRef::Text(v) => SqlValue::Text(String::from_utf8_lossy(v).into_owned()),
                    ValueRef::Blob(v) => SqlValue::Blob(v.to_vec()),
                })
                .collect();
            out.rows.push(values);
        }
        Ok(out)
    }
}

#[derive(Default)]
pub struct MemoryKv {
    entries: RefCell<BTreeMap<String, Vec<u8>>>,
    failing_deletes: RefCell<bool>,
}

impl MemoryKv {
    pub fn fail_deletes(&self) {
        *self.failing_deletes.borrow_mut() = true;
    }

    pub fn contains(&self, key: &str) -> bool {
        self.entries.borrow().contains_key(key)
    }
}

impl KeyValue for MemoryKv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.entries.borrow().get(key).cloned())
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.entries
            .borrow_mut()
            .insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        if *self.failing_deletes.borrow() {
            return Err(StoreError::Unavailable("injected fault".into()));
        }
        self.entries.borrow_mut().remove(key);
        Ok(())
    }
}

/// Prices every line at a fixed unit price, no discounts, pickup free: enough to drive the
/// workflow; the pricing engine is tested on its own.
pub struct FixedPricer {
    pub unit_price: Money,
    pub now: DateTime<Utc>,
}

impl FixedPricer {
    pub fn at(unit_price: &str, now: DateTime<Utc>) -> Self {
        FixedPricer {
            unit_price: Money::parse(unit_price, Currency::CNY).expect("price"),
            now,
        }
    }
}

impl Pricer for FixedPricer {
    fn price(&self, ask: &PriceAsk<'_>) -> Result<Priced, PlaceOrderError> {
        let zero = Money::zero(Currency::CNY);
        let lines: Vec<FrozenLine> = ask
            .lines
            .iter()
            .map(|(sku, quantity)| FrozenLine {
                sku: sku.clone(),
                quantity: *quantity,
                unit_price: self.unit_price,
                discount: zero,
                total: self
                    .unit_price
                    .checked_mul(Decimal::from(quantity.get()))
                    .expect("small")
                    .rounded(),
            })
            .collect();
        let total = lines
            .iter()
            .try_fold(zero, |sum, l| sum.checked_add(&l.total))
            .expect("small");
        let frozen = FrozenQuote {
            id: QuoteId::new(self.now),
            cart_id: None,
            customer: Some(ask.customer.clone()),
            store: ask.store.clone(),
            currency: Currency::CNY,
            lines,
            subtotal: total,
            discount_total: zero,
            delivery_fee: zero,
            total,
            coupons: ask.coupon_codes.to_vec(),
            flash_sales: Vec::new(),
            valid_until: self.now + Duration::minutes(15),
        };
        Ok(Priced {
            document: serde_json::json!({"id": frozen.id.to_string(), "total": total.amount_string()}),
            frozen,
        })
    }

    fn snapshot(&self, _: QuoteId) -> Result<Option<Priced>, PlaceOrderError> {
        Ok(None)
    }

    /// A fixed price has no snapshots to keep: nothing is kept, as nothing is read back.
    fn keep(&self, _: &Priced) -> Result<(), PlaceOrderError> {
        Ok(())
    }
}
