//! The cart part of the end-to-end kit: typed calls for every cart route
//! (`app.create_cart(Some("cust-1"))`, `app.add_to_cart(&cart, "TEA-1", 2)`, ...), each made as
//! the cart's customer (a guest's cart with no credentials), and `lines_of` to read a cart
//! body's lines.

use serde_json::{Value, json};

use crate::access_kit::Who;
use crate::{TestApp, TestResponse};

impl TestApp {
    /// Creates a cart (a guest's when `customer` is `None`, else signed in as `customer`) and
    /// returns its id; later cart calls on it are made as its customer.
    pub async fn create_cart(&self, customer: Option<&str>) -> String {
        let who = customer.map_or(Who::Nobody, Who::customer);
        let response = self.send_as(&who, "POST", "/cart", None).await.expect(201);
        let id = response.body["id"].as_str().expect("cart id").to_owned();
        if let Some(customer) = customer {
            self.remember_owner(&id, customer);
        }
        id
    }

    pub async fn get_cart(&self, cart: &str) -> TestResponse {
        self.send_as(&self.owner_of(cart), "GET", &format!("/cart/{cart}"), None)
            .await
    }

    pub async fn add_to_cart(&self, cart: &str, sku: &str, quantity: i64) -> TestResponse {
        let body = json!({ "sku": sku, "quantity": quantity });
        self.send_as(
            &self.owner_of(cart),
            "POST",
            &format!("/cart/{cart}/items"),
            Some(body),
        )
        .await
    }

    pub async fn set_quantity(&self, cart: &str, sku: &str, quantity: i64) -> TestResponse {
        let body = json!({ "quantity": quantity });
        self.send_as(
            &self.owner_of(cart),
            "PUT",
            &format!("/cart/{cart}/items/{sku}"),
            Some(body),
        )
        .await
    }

    pub async fn remove_item(&self, cart: &str, sku: &str) -> TestResponse {
        self.send_as(
            &self.owner_of(cart),
            "DELETE",
            &format!("/cart/{cart}/items/{sku}"),
            None,
        )
        .await
    }

    /// Merges `guest_cart` into `customer_cart`, signed in as the customer of `customer_cart`.
    pub async fn merge_carts(&self, customer_cart: &str, guest_cart: &str) -> TestResponse {
        let body = json!({ "guest_cart_id": guest_cart });
        self.send_as(
            &self.owner_of(customer_cart),
            "POST",
            &format!("/cart/{customer_cart}/merge"),
            Some(body),
        )
        .await
    }
}

/// The (sku, quantity) pairs of a cart body, in order.
pub fn lines_of(cart: &Value) -> Vec<(String, u64)> {
    cart["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            (
                l["sku"].as_str().expect("sku").to_owned(),
                l["quantity"].as_u64().expect("quantity"),
            )
        })
        .collect()
}
