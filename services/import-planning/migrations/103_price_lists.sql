-- Price quote sheets (bảng báo giá): versions with an effective date (local, YYYY-MM-DD).
-- status: draft or published. Margins in basis points on top of cost.
CREATE TABLE price_lists (
    id {{identity price_lists_pkey}},
    number TEXT NOT NULL CONSTRAINT price_lists_number_key UNIQUE,
    status TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    rounding_step BIGINT NOT NULL,
    margin_individual_bp BIGINT NOT NULL,
    margin_dealer_bp BIGINT NOT NULL,
    margin_project_bp BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    published_by TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX price_lists_status_effective_idx ON price_lists (status, effective_on);

-- One line per product and customer group; the product's description is kept as it was.
CREATE TABLE price_list_lines (
    price_list_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    customer_group TEXT NOT NULL,
    model_code TEXT NOT NULL,
    name_vi TEXT NOT NULL,
    brand TEXT NOT NULL,
    category TEXT NOT NULL,
    unit TEXT NOT NULL,
    unit_cost BIGINT NOT NULL,
    cost_basis TEXT NOT NULL,
    margin_bp BIGINT NOT NULL,
    price_net BIGINT NOT NULL,
    vat_rate_bp BIGINT NOT NULL,
    price_gross BIGINT NOT NULL,
    CONSTRAINT price_list_lines_pkey PRIMARY KEY (price_list_id, product_id, customer_group)
);
