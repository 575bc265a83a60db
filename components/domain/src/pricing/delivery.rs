//! The delivery fee: nothing for pickup; for delivery, the fee of the first distance band that
//! reaches the address (bands measured from the nearest store that delivers there). Beyond the
//! last band the basket is not deliverable, and the error names the distance so the customer
//! can choose pickup. `FreeDelivery` waives the fee when the goods the customer pays for (after
//! every discount, coupons included) reach a minimum: the waiver is shown next to the fee, is
//! not a discount on goods, and so is neither allocated to lines nor held to the ceiling.

use crate::money::Money;

use super::error::PricingError;
use super::input::Fulfilment;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryFeeBands {
    /// Ordered by `up_to_m`, shortest first.
    pub bands: Vec<DeliveryBand>,
}

/// Deliveries up to `up_to_m` metres (inclusive) cost `fee`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryBand {
    pub up_to_m: u32,
    pub fee: Money,
}

impl DeliveryFeeBands {
    /// The fee for `fulfilment`; `None` for pickup.
    pub fn fee(&self, fulfilment: &Fulfilment) -> Result<Option<Money>, PricingError> {
        let Fulfilment::Delivery { distance_m } = *fulfilment else {
            return Ok(None);
        };
        let mut bands: Vec<&DeliveryBand> = self.bands.iter().collect();
        bands.sort_by_key(|band| band.up_to_m);
        bands
            .iter()
            .find(|band| distance_m <= band.up_to_m)
            .map(|band| Some(band.fee))
            .ok_or(PricingError::NotDeliverable {
                distance_m,
                farthest_m: bands.last().map_or(0, |band| band.up_to_m),
            })
    }
}

/// Free delivery once the goods come to `minimum_spend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreeDelivery {
    pub minimum_spend: Money,
}
