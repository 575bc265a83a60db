//! Fails when the Rust wire types and `wit/` drift apart. It reads the WIT with `wit-parser`
//! (as wit-bindgen does), builds sample JSON for every record, enum and variant from the WIT
//! alone (snake_case keys, lower-kebab case names, variants tagged beside their case's record
//! fields), and requires each sample to survive a serde round trip through the Rust type
//! registered for it unchanged. Hand-written enums and variants must also list exactly the WIT's
//! cases, and every WIT type must have a Rust type here (and the other way round).

// A test: a failure should panic where it happens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use o2o_contract::*;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use wit_parser::{Resolve, Type, TypeDefKind, TypeId, TypeOwner};

/// A Rust wire type, seen through JSON.
struct RustType {
    round_trip: fn(Value) -> Result<Value, String>,
    /// For enums and variants: the Rust case names, from [`WitCases`].
    cases: Option<&'static [&'static str]>,
    /// For variants: the JSON key that holds the case name.
    tag: Option<&'static str>,
}

fn round_trip<T: Serialize + DeserializeOwned>(json: Value) -> Result<Value, String> {
    let value: T = serde_json::from_value(json).map_err(|e| e.to_string())?;
    serde_json::to_value(&value).map_err(|e| e.to_string())
}

macro_rules! record {
    ($ty:ty) => {
        RustType {
            round_trip: round_trip::<$ty>,
            cases: None,
            tag: None,
        }
    };
}
macro_rules! choice {
    ($ty:ty) => {
        RustType {
            round_trip: round_trip::<$ty>,
            cases: Some(<$ty>::CASES),
            tag: None,
        }
    };
    ($ty:ty, tag = $tag:literal) => {
        RustType {
            round_trip: round_trip::<$ty>,
            cases: Some(<$ty>::CASES),
            tag: Some($tag),
        }
    };
}

/// Every WIT type name with its Rust type. A new WIT type fails the test until it is added.
fn rust_types() -> BTreeMap<&'static str, RustType> {
    BTreeMap::from([
        // common
        ("money", record!(Money)),
        ("geo-point", record!(GeoPoint)),
        ("address", record!(Address)),
        ("pickup-details", record!(PickupDetails)),
        ("delivery-details", record!(DeliveryDetails)),
        ("fulfilment-mode", choice!(FulfilmentMode, tag = "mode")),
        // catalog
        ("product", record!(Product)),
        ("weekday", choice!(Weekday)),
        ("opening-hours", record!(OpeningHours)),
        ("store", record!(Store)),
        ("customer", record!(Customer)),
        ("stock-level", record!(StockLevel)),
        ("store-stock-levels", record!(StoreStockLevels)),
        ("movement-kind", choice!(MovementKind)),
        ("reason-code", choice!(ReasonCode)),
        ("stock-moved", record!(StockMoved)),
        ("nearby-stock", record!(NearbyStock)),
        ("stock-availability", record!(StockAvailability)),
        // shopping
        ("cart-line", record!(CartLine)),
        ("cart", record!(Cart)),
        ("cart-merge", record!(CartMerge)),
        ("adjustment-kind", choice!(AdjustmentKind)),
        ("adjustment", record!(Adjustment)),
        ("allocation", record!(Allocation)),
        ("quote-line", record!(QuoteLine)),
        ("delivery-charge", record!(DeliveryCharge)),
        ("rejected-coupon", record!(RejectedCoupon)),
        ("quote-hint", record!(QuoteHint)),
        ("flash-sale-usage", record!(FlashSaleUsage)),
        ("quote", record!(Quote)),
        // orders
        ("reservation-status", choice!(ReservationStatus)),
        ("reservation-line", record!(ReservationLine)),
        ("reservation", record!(Reservation)),
        ("order-status", choice!(OrderStatus)),
        ("payment-method", choice!(PaymentMethod)),
        ("order-status-change", record!(OrderStatusChange)),
        ("order-line", record!(OrderLine)),
        ("order", record!(Order)),
        ("shipment-status", choice!(ShipmentStatus)),
        ("shipment-event", record!(ShipmentEvent)),
        ("fulfilment-kind", choice!(FulfilmentKind)),
        ("shipment", record!(Shipment)),
        ("order-progress", record!(OrderProgress)),
        ("shipment-tracking", record!(ShipmentTracking)),
        ("order-tracking", record!(OrderTracking)),
        ("courier-report-outcome", record!(CourierReportOutcome)),
        ("courier", record!(Courier)),
        ("route-stop", record!(RouteStop)),
        ("courier-route", record!(CourierRoute)),
        // after-sales
        ("refund-status", choice!(RefundStatus)),
        ("refund-line", record!(RefundLine)),
        ("refund-status-change", record!(RefundStatusChange)),
        ("refund", record!(Refund)),
        ("order-refunds", record!(OrderRefunds)),
        ("complaint-category", choice!(ComplaintCategory)),
        ("complaint-status", choice!(ComplaintStatus)),
        ("complaint", record!(Complaint)),
        ("feedback", record!(Feedback)),
        // events
        ("event-envelope", record!(EventEnvelope)),
    ])
}

/// The package `o2o:commerce` as wit-bindgen sees it, with the JSON it implies.
struct Wit {
    resolve: Resolve,
    tags: BTreeMap<&'static str, &'static str>,
}

impl Wit {
    fn load(tags: BTreeMap<&'static str, &'static str>) -> Self {
        let mut resolve = Resolve::default();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../wit");
        resolve.push_path(dir).expect("wit/ parses");
        Wit { resolve, tags }
    }

    /// The records, enums and variants the package defines (not the aliases `use` makes).
    fn defined_types(&self) -> BTreeMap<String, TypeId> {
        let mut found = BTreeMap::new();
        for (id, def) in self.resolve.types.iter() {
            let TypeOwner::Interface(owner) = def.owner else {
                continue;
            };
            let package = self.resolve.interfaces[owner]
                .package
                .expect("named interface");
            if self.resolve.packages[package].name.to_string() != "o2o:commerce@0.1.0" {
                continue;
            }
            match &def.kind {
                TypeDefKind::Type(_) => continue, // an alias from `use`
                TypeDefKind::Record(_) | TypeDefKind::Enum(_) | TypeDefKind::Variant(_) => {}
                other => panic!("extend this test for WIT {} types", other.as_str()),
            }
            let name = def.name.clone().expect("defined types are named");
            let previous = found.insert(name.clone(), id);
            assert!(
                previous.is_none(),
                "`{name}` is defined twice; Rust names are flat"
            );
        }
        found
    }

    /// Sample JSON values for a defined type: one per case for enums and variants; for a
    /// record one with every option present and one with every option null.
    fn samples(&self, id: TypeId) -> Vec<Value> {
        let def = &self.resolve.types[id];
        match &def.kind {
            TypeDefKind::Record(record) => [true, false]
                .into_iter()
                .map(|options_present| {
                    let fields = record.fields.iter().map(|field| {
                        let value = match self.option_inner(&field.ty) {
                            Some(_) if !options_present => Value::Null,
                            _ => self.sample(&field.ty),
                        };
                        (snake(&field.name), value)
                    });
                    Value::Object(fields.collect())
                })
                .collect(),
            TypeDefKind::Enum(e) => e.cases.iter().map(|c| json!(c.name)).collect(),
            TypeDefKind::Variant(v) => {
                let name = def.name.as_deref().unwrap_or_default();
                let tag = self
                    .tags
                    .get(name)
                    .unwrap_or_else(|| panic!("no tag for `{name}`"));
                let cases = v.cases.iter().map(|case| {
                    let mut object = Map::new();
                    object.insert(tag.to_string(), json!(case.name));
                    if let Some(payload) = &case.ty {
                        match self.sample(payload) {
                            Value::Object(fields) => object.extend(fields),
                            _ => panic!("`{name}.{}` must carry a record", case.name),
                        }
                    }
                    Value::Object(object)
                });
                cases.collect()
            }
            other => panic!("no samples for WIT {}", other.as_str()),
        }
    }

    /// One sample JSON value of any WIT type. Numbers are chosen so that a Rust field of
    /// the wrong type refuses them (300 is no u8, -5e9 no u32 or i32, 1.5 no integer).
    fn sample(&self, ty: &Type) -> Value {
        match ty {
            Type::Bool => json!(true),
            Type::String => json!("text"),
            Type::U8 => json!(5),
            Type::U32 => json!(300),
            // Beyond u32: no narrower Rust field takes it.
            Type::U64 => json!(5_000_000_000u64),
            // Below 0 and beyond u32: no unsigned or narrower Rust field takes it.
            Type::S64 => json!(-5_000_000_000i64),
            Type::F64 => json!(1.5),
            Type::Id(id) => match &self.resolve.types[*id].kind {
                TypeDefKind::Type(aliased) => self.sample(aliased),
                TypeDefKind::Option(inner) => self.sample(inner),
                TypeDefKind::List(inner) => json!([self.sample(inner)]),
                _ => self.samples(*id).swap_remove(0),
            },
            other => panic!("extend this test for WIT {other:?}"),
        }
    }

    fn option_inner(&self, ty: &Type) -> Option<Type> {
        match ty {
            Type::Id(id) => match &self.resolve.types[*id].kind {
                TypeDefKind::Option(inner) => Some(*inner),
                TypeDefKind::Type(aliased) => self.option_inner(aliased),
                _ => None,
            },
            _ => None,
        }
    }

    fn wit_cases(&self, id: TypeId) -> Option<Vec<String>> {
        match &self.resolve.types[id].kind {
            TypeDefKind::Enum(e) => Some(e.cases.iter().map(|c| upper_camel(&c.name)).collect()),
            TypeDefKind::Variant(v) => Some(v.cases.iter().map(|c| upper_camel(&c.name)).collect()),
            _ => None,
        }
    }
}

fn snake(kebab: &str) -> String {
    kebab.replace('-', "_")
}

fn upper_camel(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
                .collect::<String>()
        })
        .collect()
}

fn wit_and_rust() -> (
    Wit,
    BTreeMap<String, TypeId>,
    BTreeMap<&'static str, RustType>,
) {
    let rust = rust_types();
    let tags = rust
        .iter()
        .filter_map(|(name, t)| Some((*name, t.tag?)))
        .collect();
    let wit = Wit::load(tags);
    let defined = wit.defined_types();
    (wit, defined, rust)
}

fn rust_type<'a>(rust: &'a BTreeMap<&'static str, RustType>, name: &str) -> &'a RustType {
    rust.get(name)
        .unwrap_or_else(|| panic!("WIT type `{name}` is missing from rust_types()"))
}

#[test]
fn every_wit_type_has_a_rust_type_and_no_rust_type_is_stale() {
    let (_, defined, rust) = wit_and_rust();
    let wit_names: Vec<&str> = defined.keys().map(String::as_str).collect();
    let rust_names: Vec<&str> = rust.keys().copied().collect();
    assert_eq!(
        wit_names, rust_names,
        "WIT types (left) vs rust_types() (right)"
    );
}

#[test]
fn rust_enums_and_variants_have_exactly_the_wit_cases() {
    let (wit, defined, rust) = wit_and_rust();
    for (name, id) in &defined {
        let rust_cases = rust_type(&rust, name).cases.map(|cases| cases.to_vec());
        let wit_cases = wit.wit_cases(*id);
        let wit_cases: Option<Vec<&str>> = wit_cases
            .as_ref()
            .map(|cases| cases.iter().map(String::as_str).collect());
        assert_eq!(
            wit_cases, rust_cases,
            "cases of `{name}`: WIT (left) vs Rust (right)"
        );
    }
}

#[test]
fn json_shaped_by_the_wit_round_trips_through_every_rust_type() {
    let (wit, defined, rust) = wit_and_rust();
    for (name, id) in &defined {
        for sample in wit.samples(*id) {
            let back = (rust_type(&rust, name).round_trip)(sample.clone())
                .unwrap_or_else(|e| panic!("`{name}` refuses the WIT's shape {sample}: {e}"));
            assert_eq!(
                back, sample,
                "`{name}` changes the WIT's shape on the way back"
            );
        }
    }
}

#[test]
fn records_refuse_json_missing_a_required_field() {
    let (wit, defined, rust) = wit_and_rust();
    for (name, id) in &defined {
        let TypeDefKind::Record(record) = &wit.resolve.types[*id].kind else {
            continue;
        };
        let complete = wit.samples(*id).swap_remove(0);
        for field in record
            .fields
            .iter()
            .filter(|f| wit.option_inner(&f.ty).is_none())
        {
            let mut missing = complete.clone();
            missing.as_object_mut().unwrap().remove(&snake(&field.name));
            let result = (rust_type(&rust, name).round_trip)(missing);
            assert!(
                result.is_err(),
                "`{name}` accepts JSON without `{}`",
                field.name
            );
        }
    }
}
