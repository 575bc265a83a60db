//! A courier's arithmetic: how long a leg takes at the courier speed (the Spin variable
//! `courier_speed_kmh`), and in which order to visit several deliveries. Distances are the
//! haversine great-circle metres of `geo` (straight lines: streets make a real trip longer,
//! so an ETA is a floor, not a promise).
//!
//! Route planning is nearest neighbour: from the store, always go to the closest stop not yet
//! visited (ties: the stop listed first). It is not the shortest tour (that is the travelling
//! salesman problem), but it is simple, predictable for the courier, and within a small factor
//! of the best for the handful of stops one courier carries.

use chrono::{DateTime, Duration, Utc};

use crate::geo::GeoPoint;

/// A courier's average speed in km/h, 1 to 200.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CourierSpeed(f64);

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("a courier speed is a number of km/h from 1 to 200, not {0:?}")]
pub struct BadSpeed(pub String);

impl CourierSpeed {
    /// 15 km/h: an e-bike in city traffic.
    pub const DEFAULT_KMH: f64 = 15.0;

    pub fn parse(raw: &str) -> Result<Self, BadSpeed> {
        raw.trim()
            .parse::<f64>()
            .ok()
            .filter(|kmh| kmh.is_finite() && (1.0..=200.0).contains(kmh))
            .map(CourierSpeed)
            .ok_or_else(|| BadSpeed(raw.to_owned()))
    }

    pub fn kmh(self) -> f64 {
        self.0
    }

    /// How long `distance_m` takes, rounded up to the whole second.
    pub fn travel_time(self, distance_m: u32) -> Duration {
        let seconds = (f64::from(distance_m) * 3.6 / self.0).ceil();
        Duration::seconds(seconds as i64)
    }

    /// When a courier leaving at `departure` arrives `distance_m` away.
    pub fn eta(self, departure: DateTime<Utc>, distance_m: u32) -> DateTime<Utc> {
        departure + self.travel_time(distance_m)
    }
}

impl Default for CourierSpeed {
    fn default() -> Self {
        CourierSpeed(Self::DEFAULT_KMH)
    }
}

/// One stop of a planned route.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteStop<T> {
    pub stop: T,
    pub location: GeoPoint,
    /// From the previous stop (the store for the first).
    pub leg_m: u32,
    /// From the store, along the route.
    pub cumulative_m: u64,
}

/// Stops in visiting order and the distance from the store to the last one.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRoute<T> {
    pub stops: Vec<RouteStop<T>>,
    pub total_m: u64,
}

/// Orders `stops` by nearest neighbour from `start`.
pub fn plan_route<T>(start: GeoPoint, stops: Vec<(T, GeoPoint)>) -> PlannedRoute<T> {
    let mut left: Vec<Option<(T, GeoPoint)>> = stops.into_iter().map(Some).collect();
    let mut here = start;
    let mut total_m: u64 = 0;
    let mut planned = Vec::with_capacity(left.len());
    loop {
        let nearest = left
            .iter()
            .enumerate()
            .filter_map(|(i, stop)| stop.as_ref().map(|(_, at)| (i, here.distance_m(at))))
            // min_by_key keeps the first of equal distances: ties go to the stop listed first.
            .min_by_key(|(_, distance)| *distance);
        let Some((i, leg_m)) = nearest else {
            break;
        };
        let Some((stop, location)) = left[i].take() else {
            break;
        };
        total_m += u64::from(leg_m);
        planned.push(RouteStop {
            stop,
            location,
            leg_m,
            cumulative_m: total_m,
        });
        here = location;
    }
    PlannedRoute {
        stops: planned,
        total_m,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn point(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::new(lat, lon).unwrap()
    }

    const STORE: (f64, f64) = (31.2304, 121.4737);

    /// A point `km` kilometres north of the store (one degree of latitude is ~111.2 km).
    fn north(km: f64) -> GeoPoint {
        point(STORE.0 + km / 111.195, STORE.1)
    }

    #[test]
    fn eta_is_distance_over_speed_rounded_up_to_the_second() {
        let speed = CourierSpeed::parse("15").unwrap();
        let leaving = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        // 3 km at 15 km/h: 12 minutes.
        assert_eq!(speed.eta(leaving, 3_000), leaving + Duration::minutes(12));
        // 1 m at 15 km/h is 0.24 s: one second.
        assert_eq!(speed.travel_time(1), Duration::seconds(1));
        assert_eq!(speed.travel_time(0), Duration::zero());
        // twice as fast, half the time
        let fast = CourierSpeed::parse("30").unwrap();
        assert_eq!(fast.travel_time(3_000), Duration::minutes(6));
    }

    #[test]
    fn courier_speed_is_a_number_of_kmh_within_bounds() {
        assert_eq!(CourierSpeed::parse(" 12.5 ").unwrap().kmh(), 12.5);
        for bad in ["", "fast", "0", "0.5", "-10", "201", "NaN", "inf"] {
            assert!(CourierSpeed::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(CourierSpeed::default().kmh(), 15.0);
    }

    #[test]
    fn nearest_neighbour_visits_the_closest_unvisited_stop_each_time() {
        // Stops listed far to near, with one to the south: the route goes 1 km north, then
        // 2 km, then 4 km, then back south past the store to the stop 1.5 km south.
        let south = point(STORE.0 - 1.5 / 111.195, STORE.1);
        let route = plan_route(
            point(STORE.0, STORE.1),
            vec![
                ("d", north(4.0)),
                ("s", south),
                ("a", north(1.0)),
                ("b", north(2.0)),
            ],
        );
        let order: Vec<&str> = route.stops.iter().map(|s| s.stop).collect();
        assert_eq!(order, vec!["a", "b", "d", "s"]);
        let legs: Vec<u32> = route.stops.iter().map(|s| s.leg_m).collect();
        assert_eq!(legs, vec![1_000, 1_000, 2_000, 5_500]);
        assert_eq!(route.total_m, 9_500);
        assert_eq!(route.stops.last().unwrap().cumulative_m, route.total_m);
    }

    #[test]
    fn nearest_neighbour_is_greedy_not_optimal() {
        // From the store, 1 km south is nearer than 1.2 km north, so the greedy route goes
        // south first and then crosses back north: 1 + 2.2 + 1.8 = 5 km.
        let route = plan_route(
            point(STORE.0, STORE.1),
            vec![
                ("north-1.2", north(1.2)),
                ("south-1", point(STORE.0 - 1.0 / 111.195, STORE.1)),
                ("north-3", north(3.0)),
            ],
        );
        let order: Vec<&str> = route.stops.iter().map(|s| s.stop).collect();
        assert_eq!(order, vec!["south-1", "north-1.2", "north-3"]);
        assert_eq!(route.total_m, 1_000 + 2_200 + 1_800);
    }

    #[test]
    fn equal_distances_go_to_the_stop_listed_first_and_no_stops_is_an_empty_route() {
        let route = plan_route(
            point(STORE.0, STORE.1),
            vec![("first", north(1.0)), ("second", north(1.0))],
        );
        let order: Vec<&str> = route.stops.iter().map(|s| s.stop).collect();
        assert_eq!(order, vec!["first", "second"]);
        assert_eq!(route.stops[1].leg_m, 0);

        let empty = plan_route::<&str>(point(STORE.0, STORE.1), Vec::new());
        assert!(empty.stops.is_empty());
        assert_eq!(empty.total_m, 0);
    }
}
