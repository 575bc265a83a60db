//! Where things are: points on Earth, the great-circle (haversine) distance between them, and
//! the delivery reach rule shared by quote, stock and order: a delivery address is served by
//! the nearest store whose delivery radius covers it. Coordinates are `f64` degrees (WGS 84);
//! distances are whole metres, rounded to the nearest metre, so that what pricing and dispatch
//! compare (fee bands, radii) is an exact integer and the same inputs always pick the same store.

use crate::ids::StoreId;

/// Mean Earth radius in metres (IUGG), the usual constant for the haversine formula.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A point on Earth in WGS 84 decimal degrees, checked once when it is made (and when it is
/// read back: `{"lat":…,"lon":…}` out of range does not deserialize).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "LatLon", into = "LatLon")]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum GeoError {
    #[error("latitude must be between -90 and 90: {0}")]
    Latitude(f64),
    #[error("longitude must be between -180 and 180: {0}")]
    Longitude(f64),
}

/// A point's JSON shape, unchecked.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct LatLon {
    lat: f64,
    lon: f64,
}

impl TryFrom<LatLon> for GeoPoint {
    type Error = GeoError;
    fn try_from(raw: LatLon) -> Result<Self, GeoError> {
        GeoPoint::new(raw.lat, raw.lon)
    }
}

impl From<GeoPoint> for LatLon {
    fn from(point: GeoPoint) -> Self {
        LatLon {
            lat: point.lat,
            lon: point.lon,
        }
    }
}

impl GeoPoint {
    pub fn new(lat: f64, lon: f64) -> Result<Self, GeoError> {
        if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
            return Err(GeoError::Latitude(lat));
        }
        if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
            return Err(GeoError::Longitude(lon));
        }
        Ok(GeoPoint { lat, lon })
    }

    pub fn lat(&self) -> f64 {
        self.lat
    }

    pub fn lon(&self) -> f64 {
        self.lon
    }

    /// Kilometres per degree of longitude that a query may use to narrow stores to those
    /// whose delivery radius can reach this point before the reach rule measures them: a
    /// point within `r` km of a store at most 200 km away is never more than
    /// `r / km_per_degree_of_longitude` degrees of longitude from it. Taken at the latitude
    /// 2 degrees further from the equator than this point and 2 % short, so the narrowing
    /// only ever keeps too many; 0 near the poles (no narrowing). Latitude needs no such
    /// figure: a degree of it is never less than [`KM_PER_DEGREE_OF_LATITUDE`].
    pub fn km_per_degree_of_longitude(&self) -> f64 {
        let far = self.lat.abs() + 2.0;
        if far >= 88.0 {
            return 0.0;
        }
        0.98 * EARTH_RADIUS_M / 1000.0 * std::f64::consts::PI / 180.0 * far.to_radians().cos()
    }

    /// Kilometres one degree of longitude spans at this point's latitude (on the sphere the
    /// reach rule measures on): what ranks stores by a flat distance to the point.
    pub fn km_per_degree_of_longitude_here(&self) -> f64 {
        EARTH_RADIUS_M / 1000.0 * std::f64::consts::PI / 180.0 * self.lat.to_radians().cos()
    }

    /// The great-circle distance to `other`, in whole metres (haversine on a sphere: within
    /// 0.5 % of the ellipsoid, far below what a delivery band cares about).
    pub fn distance_m(&self, other: &GeoPoint) -> u32 {
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let d_lat = lat2 - lat1;
        let d_lon = (other.lon - self.lon).to_radians();
        let h = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lon / 2.0).sin().powi(2);
        let central = 2.0 * h.sqrt().min(1.0).asin();
        // At most half the Earth's circumference (~20,015 km): always fits a u32.
        (EARTH_RADIUS_M * central).round() as u32
    }
}

/// Kilometres per degree of latitude, rounded down (a degree is about 111.2 km on the
/// sphere the reach rule measures on): what narrowing stores by latitude may divide by.
pub const KM_PER_DEGREE_OF_LATITUDE: f64 = 110.0;

/// The delivery radius up to which stores are narrowed by a box around the point; a store
/// that delivers further is always measured.
pub const NARROWED_RADIUS_KM: f64 = 200.0;

/// A store as the reach rule sees it: where it is and how far it delivers (0: it does not).
#[derive(Debug, Clone, PartialEq)]
pub struct StoreReach {
    pub store: StoreId,
    pub location: GeoPoint,
    pub delivery_radius_m: u32,
}

impl StoreReach {
    /// Whether the store delivers as far as `distance_m`.
    pub fn covers(&self, distance_m: u32) -> bool {
        distance_m <= self.delivery_radius_m
    }
}

/// A delivery radius as the catalog keeps it (kilometres) in the whole metres the reach rule
/// compares: rounded to the nearest metre.
pub fn radius_m(radius_km: f64) -> u32 {
    // A radius is at most a few hundred kilometres (the catalog checks it): fits a u32.
    (radius_km * 1000.0).round() as u32
}

/// `stores` by distance to `to`, nearest first, each with its distance; equal distances go to
/// the smaller store id, so the order never depends on how the stores were listed. The one
/// ordering behind every "nearest store" rule (delivery, pickup, where else a line is).
pub fn nearest_first<'a, T>(
    stores: impl IntoIterator<Item = &'a T>,
    to: GeoPoint,
    place: impl Fn(&T) -> (&StoreId, GeoPoint),
) -> Vec<(u32, &'a T)> {
    let mut ordered: Vec<(u32, &T)> = stores
        .into_iter()
        .map(|store| (place(store).1.distance_m(&to), store))
        .collect();
    ordered.sort_by(|(da, a), (db, b)| {
        da.cmp(db)
            .then_with(|| place(a).0.as_str().cmp(place(b).0.as_str()))
    });
    ordered
}

/// The store that delivers to an address, and how far away it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveringStore {
    pub store: StoreId,
    pub distance_m: u32,
}

/// Why no store delivers to an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotDeliverable {
    #[error(
        "not deliverable: the nearest store, {}, is {} km away and delivers within {} km",
        nearest.as_str(),
        km(*distance_m),
        km(*radius_m)
    )]
    OutOfReach {
        nearest: StoreId,
        distance_m: u32,
        radius_m: u32,
    },
    #[error("not deliverable: no store delivers")]
    NoStoreDelivers,
}

/// Metres as kilometres with one decimal, for messages.
fn km(metres: u32) -> String {
    format!("{:.1}", f64::from(metres) / 1000.0)
}

/// The delivery reach rule: among the stores whose delivery radius covers `to` (distance at
/// most the radius), the nearest; equal distances go to the smaller store id, so the choice
/// never depends on the order the stores were listed in. When none covers it, the error names
/// the nearest delivering store and its distance, so the customer can choose pickup there.
pub fn nearest_delivering_store(
    stores: &[StoreReach],
    to: GeoPoint,
) -> Result<DeliveringStore, NotDeliverable> {
    let delivering = nearest_first(
        stores.iter().filter(|reach| reach.delivery_radius_m > 0),
        to,
        |reach| (&reach.store, reach.location),
    );
    if let Some((distance_m, reach)) = delivering
        .iter()
        .find(|(distance_m, reach)| reach.covers(*distance_m))
    {
        return Ok(DeliveringStore {
            store: reach.store.clone(),
            distance_m: *distance_m,
        });
    }
    match delivering.first() {
        Some((distance_m, reach)) => Err(NotDeliverable::OutOfReach {
            nearest: reach.store.clone(),
            distance_m: *distance_m,
            radius_m: reach.delivery_radius_m,
        }),
        None => Err(NotDeliverable::NoStoreDelivers),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::new(lat, lon).unwrap()
    }

    #[test]
    fn stores_are_ordered_nearest_first_and_equal_distances_by_the_smaller_id() {
        let here = point(31.2304, 121.4737);
        let reach = |id: &str, at: GeoPoint, radius_m: u32| StoreReach {
            store: StoreId::parse(id).unwrap(),
            location: at,
            delivery_radius_m: radius_m,
        };
        let far = point(31.30, 121.4737);
        let stores = [
            reach("SH-9", far, 0),
            reach("SH-3", here, 100),
            reach("SH-2", far, 20_000),
        ];
        let ordered: Vec<&str> = nearest_first(&stores, here, |r| (&r.store, r.location))
            .iter()
            .map(|(_, r)| r.store.as_str())
            .collect();
        assert_eq!(ordered, ["SH-3", "SH-2", "SH-9"]);
        assert_eq!(radius_m(2.5), 2_500);
        assert_eq!(radius_m(0.0004), 0);
    }

    /// The box a query narrows stores with never drops a store whose radius reaches the
    /// point: sampled over latitudes from the equator to 80 degrees, radii up to the narrowed
    /// limit, and every direction, at the very edge of each radius.
    #[test]
    fn narrowing_by_a_box_keeps_every_store_that_reaches_the_point() {
        for lat_step in 0..=16 {
            let store_lat = f64::from(lat_step) * 5.0;
            for radius_km in [0.5, 3.0, 8.0, 50.0, NARROWED_RADIUS_KM] {
                for bearing_step in 0..72 {
                    let bearing = f64::from(bearing_step) * 5.0_f64.to_radians();
                    // A point radius_km from the store along the bearing (destination formula).
                    let central = radius_km * 0.999 * 1000.0 / EARTH_RADIUS_M;
                    let (lat1, lon1) = (store_lat.to_radians(), 121.0_f64.to_radians());
                    let lat2 = (lat1.sin() * central.cos()
                        + lat1.cos() * central.sin() * bearing.cos())
                    .asin();
                    let lon2 = lon1
                        + (bearing.sin() * central.sin() * lat1.cos())
                            .atan2(central.cos() - lat1.sin() * lat2.sin());
                    let store = point(store_lat, 121.0);
                    let at = point(lat2.to_degrees(), lon2.to_degrees());
                    assert!(f64::from(store.distance_m(&at)) <= radius_km * 1000.0);
                    let kept_by_latitude =
                        (store.lat() - at.lat()).abs() * KM_PER_DEGREE_OF_LATITUDE <= radius_km;
                    let kept_by_longitude = (store.lon() - at.lon()).abs()
                        * at.km_per_degree_of_longitude()
                        <= radius_km;
                    assert!(
                        kept_by_latitude && kept_by_longitude,
                        "store at {store:?} radius {radius_km} km dropped for {at:?}"
                    );
                }
            }
        }
    }

    fn a_store(id: &str, lat: f64, lon: f64, radius_m: u32) -> StoreReach {
        StoreReach {
            store: StoreId::parse(id).unwrap(),
            location: point(lat, lon),
            delivery_radius_m: radius_m,
        }
    }

    const PEOPLES_SQUARE: (f64, f64) = (31.2304, 121.4737);

    #[test]
    fn distance_matches_known_city_pairs() {
        // Shanghai People's Square to Beijing Tiananmen: about 1,067 km.
        let shanghai = point(PEOPLES_SQUARE.0, PEOPLES_SQUARE.1);
        let beijing = point(39.9087, 116.3975);
        let d = shanghai.distance_m(&beijing);
        assert!((1_060_000..1_075_000).contains(&d), "{d}");
        // One degree of latitude is about 111.2 km everywhere.
        let d = point(0.0, 0.0).distance_m(&point(1.0, 0.0));
        assert!((111_100..111_300).contains(&d), "{d}");
    }

    #[test]
    fn distance_is_symmetric_and_zero_to_itself() {
        let a = point(31.2246, 121.4465);
        let b = point(31.2397, 121.4998);
        assert_eq!(a.distance_m(&b), b.distance_m(&a));
        assert_eq!(a.distance_m(&a), 0);
    }

    #[test]
    fn antipodes_are_half_the_circumference_away() {
        let d = point(0.0, 0.0).distance_m(&point(0.0, 180.0));
        assert!((20_000_000..20_040_000).contains(&d), "{d}");
    }

    #[test]
    fn coordinates_outside_the_globe_are_refused() {
        assert_eq!(GeoPoint::new(90.5, 0.0), Err(GeoError::Latitude(90.5)));
        assert_eq!(GeoPoint::new(0.0, -181.0), Err(GeoError::Longitude(-181.0)));
        assert!(GeoPoint::new(f64::NAN, 0.0).is_err());
        assert!(GeoPoint::new(-90.0, 180.0).is_ok());
    }

    #[test]
    fn the_nearest_store_whose_radius_covers_the_address_delivers() {
        let address = point(PEOPLES_SQUARE.0, PEOPLES_SQUARE.1);
        let stores = [
            // ~3.0 km away but delivers only within 2 km
            a_store("NEAR-SMALL", 31.2304, 121.5053, 2_000),
            // ~4.5 km away, delivers within 6 km
            a_store("MIDDLE", 31.2304, 121.5210, 6_000),
            // ~9 km away, delivers within 12 km
            a_store("FAR-BIG", 31.2304, 121.5683, 12_000),
        ];
        let chosen = nearest_delivering_store(&stores, address).unwrap();
        assert_eq!(chosen.store.as_str(), "MIDDLE");
        assert_eq!(chosen.distance_m, stores[1].location.distance_m(&address));
    }

    #[test]
    fn a_store_that_does_not_deliver_is_never_chosen() {
        let address = point(PEOPLES_SQUARE.0, PEOPLES_SQUARE.1);
        let stores = [
            a_store("PICKUP-ONLY", PEOPLES_SQUARE.0, PEOPLES_SQUARE.1, 0),
            a_store("DELIVERS", 31.2304, 121.5053, 5_000),
        ];
        let chosen = nearest_delivering_store(&stores, address).unwrap();
        assert_eq!(chosen.store.as_str(), "DELIVERS");
    }

    #[test]
    fn the_radius_is_inclusive() {
        let address = point(PEOPLES_SQUARE.0, PEOPLES_SQUARE.1);
        let mut store = a_store("EDGE", 31.2304, 121.5053, 0);
        store.delivery_radius_m = store.location.distance_m(&address);
        let chosen = nearest_delivering_store(&[store.clone()], address).unwrap();
        assert_eq!(chosen.distance_m, store.delivery_radius_m);
    }

    #[test]
    fn equal_distances_go_to_the_smaller_store_id_whatever_the_order() {
        let address = point(PEOPLES_SQUARE.0, PEOPLES_SQUARE.1);
        let east = a_store("B-EAST", 31.2304, 121.4837, 5_000);
        let twin = a_store("A-TWIN", 31.2304, 121.4837, 5_000);
        for stores in [[east.clone(), twin.clone()], [twin.clone(), east.clone()]] {
            let chosen = nearest_delivering_store(&stores, address).unwrap();
            assert_eq!(chosen.store.as_str(), "A-TWIN");
        }
    }

    #[test]
    fn outside_every_radius_names_the_nearest_store_and_its_distance() {
        let address = point(PEOPLES_SQUARE.0, PEOPLES_SQUARE.1);
        let stores = [
            a_store("FAR", 31.2304, 121.6000, 5_000),
            a_store("NEAREST", 31.2304, 121.5300, 4_000),
        ];
        let err = nearest_delivering_store(&stores, address).unwrap_err();
        let NotDeliverable::OutOfReach {
            nearest,
            distance_m,
            radius_m,
        } = &err
        else {
            panic!("expected out of reach, got {err:?}");
        };
        assert_eq!(nearest.as_str(), "NEAREST");
        assert_eq!(*distance_m, stores[1].location.distance_m(&address));
        assert_eq!(*radius_m, 4_000);
        assert!(err.to_string().contains("NEAREST, is 5.4 km away"), "{err}");
    }

    #[test]
    fn no_delivering_store_at_all_is_not_deliverable() {
        let address = point(PEOPLES_SQUARE.0, PEOPLES_SQUARE.1);
        assert_eq!(
            nearest_delivering_store(&[], address),
            Err(NotDeliverable::NoStoreDelivers)
        );
    }
}
