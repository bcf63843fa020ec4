-- Exchange rates: VND per unit of a currency x 10,000, in force from effective_on (local date,
-- YYYY-MM-DD) until the currency's next rate.
CREATE TABLE exchange_rates (
    id {{identity exchange_rates_pkey}},
    currency TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    rate_e4 BIGINT NOT NULL,
    source TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at BIGINT NOT NULL,
    CONSTRAINT exchange_rates_currency_day_key UNIQUE (currency, effective_on)
);

-- Import duty by HS code prefix (digits only); the longest matching prefix applies.
CREATE TABLE duty_rates (
    hs_prefix TEXT NOT NULL CONSTRAINT duty_rates_pkey PRIMARY KEY,
    rate_bp BIGINT NOT NULL,
    note TEXT NOT NULL
);
