-- 0007: dispatch (o2o_domain::dispatch): the couriers of each store, shipments (the goods of
-- one order leaving one store, by pickup or delivery) and their status timeline. A shipment's
-- status moves only along `ShipmentStatus::can_move_to`; its order moves with it. Times are
-- RFC 3339 UTC seconds, which sort as text. Safe to re-run. Never edit once landed.
CREATE TABLE IF NOT EXISTS couriers (
    id          TEXT PRIMARY KEY,              -- chosen by the store, e.g. CR-7
    store_id    TEXT NOT NULL REFERENCES stores (id),
    name        TEXT NOT NULL,
    capacity    INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 50), -- deliveries carried at once
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS couriers_by_store ON couriers (store_id, id);

CREATE TABLE IF NOT EXISTS shipments (
    id               TEXT PRIMARY KEY,         -- uuid v7
    order_id         TEXT NOT NULL,
    store_id         TEXT NOT NULL,
    mode             TEXT NOT NULL CHECK (mode IN ('pickup', 'delivery')),
    status           TEXT NOT NULL CHECK (status IN ('picking', 'ready_for_pickup', 'collected',
                         'out_for_delivery', 'delivered', 'failed')),
    dest_lat         REAL,                     -- delivery: where the goods go
    dest_lon         REAL,
    courier_id       TEXT,                     -- delivery: who carries them
    distance_m       INTEGER,                  -- haversine, store to destination
    eta              TEXT,
    pickup_code_hash TEXT,                     -- pickup: hex SHA-256 of "<id>:<code>"
    pickup_attempts  INTEGER NOT NULL DEFAULT 0, -- wrong codes tried
    started_by       TEXT NOT NULL,            -- staff id
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

-- One shipment under way per order; a failed delivery's shipment stays, and another can start.
CREATE UNIQUE INDEX IF NOT EXISTS shipments_one_open_per_order ON shipments (order_id)
    WHERE status <> 'failed';
CREATE INDEX IF NOT EXISTS shipments_by_courier ON shipments (courier_id, status);

CREATE TABLE IF NOT EXISTS shipment_status_history (
    shipment_id TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    status      TEXT NOT NULL,
    at          TEXT NOT NULL,
    note        TEXT,
    PRIMARY KEY (shipment_id, seq)
);

INSERT OR IGNORE INTO schema_migrations (version, name) VALUES (7, '0007_dispatch');
