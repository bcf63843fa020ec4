-- The catalog kept by the import-export department. search_text is folded to lowercase ASCII
-- (see the platform's search_text) so search ignores case and diacritics on every database.
CREATE TABLE suppliers (
    id {{identity suppliers_pkey}},
    code TEXT NOT NULL CONSTRAINT suppliers_code_key UNIQUE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL CONSTRAINT suppliers_name_key UNIQUE,
    country TEXT NOT NULL,
    currency TEXT NOT NULL,
    lead_time_days BIGINT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    search_text TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE products (
    id {{identity products_pkey}},
    model_code TEXT NOT NULL,
    model_key TEXT NOT NULL CONSTRAINT products_model_key_key UNIQUE,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    category TEXT NOT NULL,
    brand TEXT NOT NULL,
    brand_class TEXT NOT NULL,
    supplier_id BIGINT NOT NULL CONSTRAINT products_supplier_fkey REFERENCES suppliers (id),
    unit TEXT NOT NULL,
    hs_code TEXT NOT NULL,
    warranty_months BIGINT NOT NULL,
    serial_tracked BIGINT NOT NULL,
    list_price BIGINT NOT NULL,
    vat_rate_bp BIGINT NOT NULL,
    search_text TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX products_category_idx ON products (category, id);
CREATE INDEX products_supplier_idx ON products (supplier_id, id);
