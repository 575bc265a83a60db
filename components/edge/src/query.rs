//! Reading query strings: the values of a key, percent-decoded (a key may repeat:
//! `sku=A&sku=B`). Shared by every component whose routes take filters in the query.

/// The values of a query string, decoded; a key may repeat (`sku=A&sku=B`).
pub fn query_values(query: &str, key: &str) -> Vec<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .filter(|(k, _)| decode(k) == key)
        .map(|(_, v)| decode(v))
        .collect()
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
    }
}
