-- Per-page results of a crawl: what the worker fetched and extracted, one row per URL.

CREATE TABLE "page_results" (
    "id"               BIGSERIAL      NOT NULL,
    "job_id"           UUID           NOT NULL,
    "url"              TEXT           NOT NULL,
    "status"           INTEGER,
    "title"            TEXT,
    "depth"            INTEGER        NOT NULL DEFAULT 0,
    "products"         JSONB          NOT NULL DEFAULT '[]',
    "images"           INTEGER        NOT NULL DEFAULT 0,
    "links"            INTEGER        NOT NULL DEFAULT 0,
    "documents"        INTEGER        NOT NULL DEFAULT 0,
    "bytes"            INTEGER        NOT NULL DEFAULT 0,
    "response_time_ms" INTEGER        NOT NULL DEFAULT 0,
    "error"            TEXT,
    "fetched_at"       TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "page_results_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "page_results_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "scrape_jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "page_results_products_array" CHECK (jsonb_typeof("products") = 'array')
);
-- A page reported twice (a retried batch) is one row.
CREATE UNIQUE INDEX "page_results_job_url_idx" ON "page_results" ("job_id", "url");
CREATE INDEX "page_results_job_order_idx" ON "page_results" ("job_id", "id");
