//! Who the kit's requests come from, as a front end and a back office would send them:
//! customers carry a bearer token signed with `TEST_JWT_SECRET` (made per request from the
//! host's clock, so tokens never expire under a test that moves the clock); staff carry an API
//! key made through the admin API (`POST /admin/api-keys` with `TEST_ADMIN_KEY`), one key per
//! staff member and scope, kept for the app's life. The kit also remembers whose cart, quote
//! and order an id is, the way a front end keeps its customer's session beside the ids.

use chrono::Duration;
use o2o_domain::auth::token;
use o2o_domain::ids::CustomerId;
use serde_json::{Value, json};

use crate::{TEST_ADMIN_KEY, TEST_JWT_SECRET, TestApp, TestResponse};

/// Who sends a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// No credentials.
    Nobody,
    /// A signed-in customer (a fresh token).
    Customer(String),
    /// Staff member `name` with a key holding `scope`.
    Staff { name: String, scope: String },
    /// An `Authorization` header exactly as given (forged, expired or foreign tokens).
    Authorization(String),
    /// An `x-api-key` header exactly as given (revoked or unknown keys).
    ApiKey(String),
}

impl Who {
    pub fn customer(id: &str) -> Who {
        Who::Customer(id.to_owned())
    }

    pub fn staff(name: &str, scope: &str) -> Who {
        Who::Staff {
            name: name.to_owned(),
            scope: scope.to_owned(),
        }
    }
}

/// A key as the admin API answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMade {
    pub id: String,
    pub key: String,
}

/// The scope the function of `path` asks of staff for its writes.
pub fn scope_for(path: &str) -> &'static str {
    const BY_PREFIX: [(&str, &str); 8] = [
        ("/admin/api-keys", "admin"),
        ("/admin/audit", "admin"),
        ("/admin/", "catalog"),
        ("/stock/", "stock"),
        ("/dispatch/", "dispatch"),
        ("/orders", "dispatch"),
        ("/refunds", "refund-approve"),
        ("/feedback/", "refund-approve"),
    ];
    BY_PREFIX
        .iter()
        .find(|(prefix, _)| path.starts_with(prefix))
        .map_or("webhooks", |(_, scope)| scope)
}

impl TestApp {
    /// A staff `POST` of `body` to `path`: staff member `staff` with their key holding the
    /// scope the route's function asks (`scope_for`); `None`: no credentials.
    pub async fn staff_post(&self, staff: Option<&str>, path: &str, body: Value) -> TestResponse {
        let who = staff.map_or(Who::Nobody, |name| Who::staff(name, scope_for(path)));
        self.send_as(&who, "POST", path, Some(body)).await
    }

    /// A bearer token for `customer`, valid for an hour from the host's clock.
    pub fn token_for(&self, customer: &str) -> String {
        let customer = CustomerId::parse(customer).expect("a customer id");
        token::issue(
            &customer,
            TEST_JWT_SECRET.as_bytes(),
            self.app_now(),
            Duration::hours(1),
        )
    }

    /// Makes a key through the admin API with the bootstrap admin key.
    pub async fn make_key(&self, name: &str, scopes: &[&str]) -> KeyMade {
        let request = http::Request::builder()
            .method("POST")
            .uri("/admin/api-keys")
            .header("content-type", "application/json")
            .header("x-api-key", TEST_ADMIN_KEY)
            .body(
                json!({ "name": name, "scopes": scopes })
                    .to_string()
                    .into_bytes(),
            )
            .expect("valid request");
        let made = self.send_raw(request).await.expect(201);
        KeyMade {
            id: made.body["id"].as_str().expect("key id").to_owned(),
            key: made.body["key"].as_str().expect("key text").to_owned(),
        }
    }

    /// Staff member `name`'s key with `scope`, made on first use.
    pub async fn staff_key(&self, name: &str, scope: &str) -> KeyMade {
        let wanted = (name.to_owned(), scope.to_owned());
        if let Some(made) = self.keys.lock().expect("keys").get(&wanted) {
            return made.clone();
        }
        let made = self.make_key(&format!("{name} ({scope})"), &[scope]).await;
        self.keys.lock().expect("keys").insert(wanted, made.clone());
        made
    }

    /// The audit log's actor for staff member `name` acting with `scope`: their key's id.
    pub async fn actor(&self, name: &str, scope: &str) -> String {
        self.staff_key(name, scope).await.id
    }

    /// `builder` with the credentials of `who`.
    pub async fn authorize(
        &self,
        builder: http::request::Builder,
        who: &Who,
    ) -> http::request::Builder {
        match who {
            Who::Nobody => builder,
            Who::Customer(customer) => builder.header(
                "authorization",
                format!("Bearer {}", self.token_for(customer)),
            ),
            Who::Staff { name, scope } => {
                builder.header("x-api-key", self.staff_key(name, scope).await.key)
            }
            Who::Authorization(raw) => builder.header("authorization", raw.as_str()),
            Who::ApiKey(raw) => builder.header("x-api-key", raw.as_str()),
        }
    }

    /// Sends a request as `who`; `body` is sent as JSON when given.
    pub async fn send_as(
        &self,
        who: &Who,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> TestResponse {
        self.send_as_with(who, method, path, body, &[]).await
    }

    /// `send_as` with extra headers (an `Idempotency-Key`).
    pub async fn send_as_with(
        &self,
        who: &Who,
        method: &str,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let request = self.request_as(who, method, path, body, headers).await;
        self.send_raw(request).await
    }

    /// The request `send_as_with` would send, built but not sent (for `all_at_once`).
    pub async fn request_as(
        &self,
        who: &Who,
        method: &str,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> http::Request<Vec<u8>> {
        let mut builder = http::Request::builder().method(method).uri(path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let bytes = match body {
            Some(json) => {
                builder = builder.header("content-type", "application/json");
                serde_json::to_vec(&json).expect("serialisable body")
            }
            None => Vec::new(),
        };
        let builder = self.authorize(builder, who).await;
        builder.body(bytes).expect("valid request")
    }

    /// A JSON `POST` of `body` exactly as given (bad bytes included) as `who`, with
    /// `Idempotency-Key: key` when one is given.
    pub async fn post_raw_as(
        &self,
        who: &Who,
        path: &str,
        key: Option<&str>,
        body: Vec<u8>,
    ) -> TestResponse {
        let mut request = http::Request::builder()
            .method("POST")
            .uri(path)
            .header("content-type", "application/json");
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        let request = self.authorize(request, who).await;
        self.send_raw(request.body(body).expect("valid request"))
            .await
    }

    /// Remembers that `id` (a cart, quote or order) is `customer`'s.
    pub fn remember_owner(&self, id: &str, customer: &str) {
        self.owners
            .lock()
            .expect("owners")
            .insert(id.to_owned(), customer.to_owned());
    }

    /// Who the kit acts as for `id`: its customer when the kit made it for one, else nobody
    /// (a guest's cart or quote).
    pub fn owner_of(&self, id: &str) -> Who {
        self.owners
            .lock()
            .expect("owners")
            .get(id)
            .map_or(Who::Nobody, |customer| Who::Customer(customer.clone()))
    }

    /// Who the kit acts as to look at order `id`: its customer, or else the shop's reports
    /// key (an order the kit did not place, such as one written by SQL).
    pub fn order_viewer(&self, id: &str) -> Who {
        match self.owner_of(id) {
            Who::Nobody => Who::staff("kit-observer", "reports"),
            owner => owner,
        }
    }
}
