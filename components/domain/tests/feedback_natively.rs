//! Feedback's SQL run natively over SQLite with every migration applied
//! (tests/support/native_store.rs): a submission is all or nothing even when storage fails
//! half way (sabotage), what was already given is re-read under the write lock, a complaint
//! is resolved once and audited, and the aggregates read back what was written.

// A test: a failure should panic where it happens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/native_store.rs"]
mod native_store;

/// Named so that `cargo test -p o2o-domain feedback` runs these too.
mod feedback_sql {
    use super::native_store::NativeSql;
    use chrono::{DateTime, TimeZone, Utc};
    use o2o_domain::feedback::repository::{self as feedback, ReviewsOf};
    use o2o_domain::feedback::submission::ExplicitComplaint;
    use o2o_domain::feedback::{
        ComplaintCategory, ComplaintStatus, FeedbackError, FeedbackText, LineReview, Rating,
        Submission,
    };
    use o2o_domain::storage::StoreError;
    use o2o_domain::{CustomerId, OrderId, Sku, StoreId};

    const ORDER: &str = "01900000-0000-7000-8000-0000000000a1";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap()
    }

    /// cust-1's order at SH-1, delivered: line 0 TEA-1, line 1 MILK-1.
    fn a_delivered_order() -> NativeSql {
        let db = NativeSql::with_schema();
        db.batch(&format!(
        "INSERT INTO orders (id, customer_id, status, payment_method, store_id, fulfilment,
             reservation_id, quote_id, currency, subtotal, discount_total, delivery_fee, total,
             placed_at, updated_at)
         VALUES ('{ORDER}', 'cust-1', 'delivered', 'online', 'SH-1', '{{\"mode\":\"delivery\",\"address\":{{\"line1\":\"1 Rd\",\"city\":\"Shanghai\",\"postal_code\":\"200001\",\"country\":\"CN\"}},\"location\":{{\"lat\":31.23,\"lon\":121.47}}}}',
             '01900000-0000-7000-8000-0000000000b1', '01900000-0000-7000-8000-0000000000c1',
             'CNY', '30.00', '0.00', '0.00', '30.00', '2026-11-24T10:00:00Z', '2026-11-24T10:00:00Z');
         INSERT INTO order_lines (order_id, line, sku, name, quantity, unit_price, discount, total)
             VALUES ('{ORDER}', 0, 'TEA-1', 'Tea', 1, '10.00', '0.00', '10.00'),
                    ('{ORDER}', 1, 'MILK-1', 'Milk', 2, '10.00', '0.00', '20.00');"
    ));
        db
    }

    fn review(line: u32, stars: i64) -> LineReview {
        LineReview {
            line,
            rating: Rating::new(stars).unwrap(),
            text: None,
        }
    }

    fn submission(lines: Vec<LineReview>, store: Option<i64>) -> Submission {
        Submission::new(
            OrderId::parse(ORDER).unwrap(),
            CustomerId::parse("cust-1").unwrap(),
            lines,
            store.map(|s| Rating::new(s).unwrap()),
            None,
            None,
        )
        .unwrap()
    }

    /// (reviews, ratings, complaints, complaint events)
    fn written(db: &NativeSql) -> (i64, i64, i64, i64) {
        (
            db.scalar("SELECT COUNT(*) FROM feedback_reviews"),
            db.scalar("SELECT COUNT(*) FROM feedback_ratings"),
            db.scalar("SELECT COUNT(*) FROM feedback_complaints"),
            db.scalar("SELECT COUNT(*) FROM outbox WHERE event_type = 'feedback.complaint'"),
        )
    }

    #[test]
    fn a_low_rating_writes_its_review_complaint_and_event_together() {
        let db = a_delivered_order();

        let submitted =
            feedback::submit(&db, &submission(vec![review(0, 1)], Some(4)), now()).unwrap();

        let complaint = submitted.complaint.expect("a complaint");
        assert_eq!(complaint.status, ComplaintStatus::Open);
        assert_eq!(written(&db), (1, 1, 1, 1));
    }

    #[test]
    fn storage_failing_after_the_reviews_leaves_nothing_behind() {
        // Sabotage: the outbox refuses the complaint event, after the review and the complaint
        // were inserted in the same transaction.
        let db = a_delivered_order();
        db.fail_matching("INSERT INTO outbox");

        let outcome = feedback::submit(&db, &submission(vec![review(0, 1)], Some(2)), now());

        assert!(matches!(
            outcome,
            Err(FeedbackError::Store(StoreError::Unavailable(_)))
        ));
        db.heal();
        assert_eq!(written(&db), (0, 0, 0, 0));
        // And the same submission goes through once storage is back
        feedback::submit(&db, &submission(vec![review(0, 1)], Some(2)), now()).unwrap();
        assert_eq!(written(&db), (1, 1, 1, 1));
    }

    #[test]
    fn what_was_already_given_is_read_back_and_refused_with_nothing_written() {
        let db = a_delivered_order();
        feedback::submit(&db, &submission(vec![review(1, 5)], Some(5)), now()).unwrap();

        let again = feedback::submit(
            &db,
            &submission(vec![review(0, 1), review(1, 4)], None),
            now(),
        );
        assert_eq!(
            again,
            Err(FeedbackError::LineAlreadyReviewed { index: 1, line: 1 })
        );
        let rerated = feedback::submit(&db, &submission(vec![], Some(1)), now());
        assert_eq!(
            rerated,
            Err(FeedbackError::AlreadyRated {
                field: "store_rating"
            })
        );
        assert_eq!(written(&db), (1, 1, 0, 0));
    }

    #[test]
    fn a_complaint_is_resolved_once_and_audited() {
        let db = a_delivered_order();
        let explicit = Submission::new(
            OrderId::parse(ORDER).unwrap(),
            CustomerId::parse("cust-1").unwrap(),
            vec![],
            None,
            None,
            Some(ExplicitComplaint {
                category: ComplaintCategory::WrongItem,
                description: FeedbackText::non_empty("got green tea, not oolong").unwrap(),
            }),
        )
        .unwrap();
        let id = feedback::submit(&db, &explicit, now())
            .unwrap()
            .complaint
            .unwrap()
            .id;
        let note = FeedbackText::non_empty("sent the right tea").unwrap();

        let resolved = feedback::resolve(&db, &id, "staff-7", &note, now()).unwrap();
        assert_eq!(resolved.status, ComplaintStatus::Resolved);
        assert_eq!(resolved.resolved_by.as_deref(), Some("staff-7"));

        let twice = feedback::resolve(&db, &id, "staff-8", &note, now());
        assert_eq!(
            twice,
            Err(FeedbackError::ComplaintTransition {
                from: ComplaintStatus::Resolved,
                to: ComplaintStatus::Resolved
            })
        );
        assert_eq!(
            db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'feedback.complaint.resolve'"),
            1
        );
        assert_eq!(
            feedback::complaints(&db, Some(ComplaintStatus::Open), None, 10)
                .unwrap()
                .len(),
            0
        );
        assert_eq!(
            feedback::resolve(
                &db,
                "01900000-0000-7000-8000-000000000000",
                "s",
                &note,
                now()
            ),
            Err(FeedbackError::ComplaintNotFound)
        );
    }

    #[test]
    fn summaries_and_pages_read_back_what_was_written() {
        let db = a_delivered_order();
        feedback::submit(
            &db,
            &submission(vec![review(0, 4), review(1, 5)], Some(3)),
            now(),
        )
        .unwrap();
        let store = StoreId::parse("SH-1").unwrap();
        let tea = Sku::parse("TEA-1").unwrap();

        let product = feedback::product_summary(&db, &tea).unwrap();
        assert_eq!(product.distribution, [0, 0, 0, 1, 0]);
        let goods = feedback::store_products_summary(&db, &store).unwrap();
        assert_eq!(goods.average_string().as_deref(), Some("4.50"));
        let service = feedback::store_rating_summary(
            &db,
            &store,
            o2o_domain::feedback::submission::RatingKind::StoreService,
        )
        .unwrap();
        assert_eq!(service.count(), 1);

        let page = feedback::recent_reviews(&db, ReviewsOf::Store(&store), None, 1).unwrap();
        assert_eq!(page.len(), 1);
        let rest =
            feedback::recent_reviews(&db, ReviewsOf::Store(&store), Some(&page[0].id), 10).unwrap();
        assert_eq!(rest.len(), 1);
        assert_ne!(rest[0].id, page[0].id);
    }
}
