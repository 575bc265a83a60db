//! The values of feedback, parsed once at the edge: a `Rating` of 1 to 5 stars, a
//! `FeedbackText` of at most 2,000 characters kept exactly as the customer wrote it (markup
//! included: it is data, escaped by whatever renders it), and a `ComplaintCategory` with the
//! WIT `after-sales.complaint-category` names.

use std::fmt;

/// 1 to 5 stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rating(u8);

impl Rating {
    pub const MIN: i64 = 1;
    pub const MAX: i64 = 5;

    pub fn new(stars: i64) -> Result<Self, String> {
        if (Self::MIN..=Self::MAX).contains(&stars) {
            Ok(Rating(stars as u8))
        } else {
            Err(format!(
                "a rating is a whole number of stars from {} to {}",
                Self::MIN,
                Self::MAX
            ))
        }
    }

    pub fn stars(self) -> u8 {
        self.0
    }

    /// A rating of 2 stars or fewer opens a complaint (issue 6).
    pub fn is_low(self) -> bool {
        self.0 <= 2
    }
}

/// Free text of a review or a complaint: at most 2,000 characters (Unicode scalar values, so
/// that a review in Chinese gets the same room as one in English), stored as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackText(String);

impl FeedbackText {
    pub const MAX_CHARS: usize = 2_000;

    pub fn new(raw: &str) -> Result<Self, String> {
        let chars = raw.chars().count();
        if chars > Self::MAX_CHARS {
            Err(format!(
                "at most {} characters, this has {chars}",
                Self::MAX_CHARS
            ))
        } else {
            Ok(FeedbackText(raw.to_owned()))
        }
    }

    /// Text that must say something (a complaint's description, a resolution note).
    pub fn non_empty(raw: &str) -> Result<Self, String> {
        if raw.trim().is_empty() {
            Err("must not be empty".to_owned())
        } else {
            Self::new(raw)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a complaint is about; the names of WIT `after-sales.complaint-category`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComplaintCategory {
    ProductQuality,
    WrongItem,
    Damaged,
    Late,
    Staff,
    Other,
}

impl ComplaintCategory {
    pub const ALL: [ComplaintCategory; 6] = [
        ComplaintCategory::ProductQuality,
        ComplaintCategory::WrongItem,
        ComplaintCategory::Damaged,
        ComplaintCategory::Late,
        ComplaintCategory::Staff,
        ComplaintCategory::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintCategory::ProductQuality => "product-quality",
            ComplaintCategory::WrongItem => "wrong-item",
            ComplaintCategory::Damaged => "damaged",
            ComplaintCategory::Late => "late",
            ComplaintCategory::Staff => "staff",
            ComplaintCategory::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == raw)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|c| c.as_str()).collect();
                format!("one of {}", names.join(", "))
            })
    }
}

impl fmt::Display for ComplaintCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_one_to_five_stars() {
        for stars in 1..=5 {
            assert_eq!(Rating::new(stars).unwrap().stars() as i64, stars);
        }
        for stars in [0, 6, -1, 50, i64::MAX, i64::MIN] {
            assert!(Rating::new(stars).is_err(), "{stars}");
        }
    }

    #[test]
    fn two_stars_or_fewer_is_a_low_rating() {
        let low: Vec<i64> = (1..=5)
            .filter(|s| Rating::new(*s).unwrap().is_low())
            .collect();
        assert_eq!(low, vec![1, 2]);
    }

    #[test]
    fn text_is_at_most_2000_characters_counted_as_characters_not_bytes() {
        assert!(FeedbackText::new(&"a".repeat(2_000)).is_ok());
        assert!(FeedbackText::new(&"a".repeat(2_001)).is_err());
        // 2,000 Chinese characters are 6,000 bytes, and still fit.
        assert!(FeedbackText::new(&"好".repeat(2_000)).is_ok());
        assert!(FeedbackText::new(&"好".repeat(2_001)).is_err());
    }

    #[test]
    fn text_is_kept_exactly_as_given_markup_included() {
        let raw = "<script>alert('x')</script> & \"quotes\"\n";
        assert_eq!(FeedbackText::new(raw).unwrap().as_str(), raw);
        assert!(FeedbackText::new("").is_ok());
        assert!(FeedbackText::non_empty("  ").is_err());
    }

    #[test]
    fn complaint_categories_round_trip_through_their_wit_names() {
        for category in ComplaintCategory::ALL {
            assert_eq!(ComplaintCategory::parse(category.as_str()), Ok(category));
        }
        assert!(ComplaintCategory::parse("rude").is_err());
        assert!(ComplaintCategory::parse("Damaged").is_err());
    }
}
