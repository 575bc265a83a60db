//! Line lists in request bodies (`"lines": [{"sku": "..", "quantity": 2}]`), as the quote and
//! place-order take them: 1 to a cart's 100 lines, each sku a sku code and each quantity within
//! a line's bounds, every failure naming its line (`lines[1].quantity`). Quantities arrive as
//! any integer so that 0 or -1 is refused naming the field rather than failing to decode.

use o2o_domain::{Cart, Quantity, Sku};
use serde::Deserialize;

use crate::problem::{ApiError, FieldContext};

/// The most lines a list may hold: a cart's limit.
pub const MAX_LINES: usize = Cart::MAX_LINES;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineBody {
    pub sku: String,
    pub quantity: i64,
}

/// Every line parsed, in order.
pub fn parse_lines(lines: &[LineBody]) -> Result<Vec<(Sku, Quantity)>, ApiError> {
    if lines.is_empty() || lines.len() > MAX_LINES {
        return Err(ApiError::invalid_field(
            "lines",
            format!("must hold 1 to {MAX_LINES} lines"),
        ));
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            Ok((
                Sku::parse(&line.sku).field(&format!("lines[{i}].sku"))?,
                Quantity::try_from(line.quantity).field(&format!("lines[{i}].quantity"))?,
            ))
        })
        .collect()
}
