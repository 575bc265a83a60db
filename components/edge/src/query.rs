//! Reading query strings: the values of a key, percent-decoded (a key may repeat:
//! `sku=A&sku=B`). Shared by every component whose routes take filters in the query.

use crate::problem::ApiError;

/// Every (key, value) pair of a query string, decoded, in order (`flag` alone is `("flag", "")`).
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// The values of a query string, decoded; a key may repeat (`sku=A&sku=B`).
pub fn query_values(query: &str, key: &str) -> Vec<String> {
    query_pairs(query)
        .into_iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v)
        .collect()
}

/// The one value of `key`, if given; given twice is a 400 naming it.
pub fn query_value(query: &str, key: &str) -> Result<Option<String>, ApiError> {
    let mut values = query_values(query, key);
    match values.len() {
        0 => Ok(None),
        1 => Ok(Some(values.remove(0))),
        _ => Err(ApiError::invalid_field(key, "give it once")),
    }
}

/// Percent-decoding of a query component (`+` is a space); a bad escape is kept as written.
fn decode(raw: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| Some(hex(bytes[i + 1])? * 16 + hex(bytes[i + 2])?))
            .flatten();
        match (escaped, bytes[i]) {
            (Some(b), _) => {
                out.push(b as u8);
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, b) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_repeat_and_decode() {
        let q = "store=SH-1&sku=TEA-1&sku=MILK%2D1&lat=31.2&name=a+b&flag";
        assert_eq!(query_values(q, "sku"), vec!["TEA-1", "MILK-1"]);
        assert_eq!(query_values(q, "name"), vec!["a b"]);
        assert_eq!(query_values(q, "flag"), vec![""]);
        assert!(query_values(q, "lon").is_empty());
        assert_eq!(query_values("x=%E4%B8%AD%", "x"), vec!["中%"]);
        assert_eq!(query_values("x=a%2Eb+c%zz%", "x"), vec!["a.b c%zz%"]);
    }

    #[test]
    fn a_key_given_once_is_its_value_and_twice_is_refused_naming_it() {
        assert_eq!(query_value("a=1&b=2", "b"), Ok(Some("2".into())));
        assert_eq!(query_value("a=1", "b"), Ok(None));
        assert!(matches!(
            query_value("b=1&b=2", "b"),
            Err(ApiError::InvalidField { field, .. }) if field == "b"
        ));
        assert_eq!(
            query_pairs("a=1&&flag&c=%41"),
            vec![
                ("a".into(), "1".into()),
                ("flag".into(), String::new()),
                ("c".into(), "A".into())
            ]
        );
    }
}
