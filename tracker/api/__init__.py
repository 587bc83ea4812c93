"""The read API, /api/v1/: the tracker's records as JSON for programs, documented by an
OpenAPI 3 schema generated from these views (/api/v1/schema/, read at /api/v1/docs/).

It reads what the pages read, through the same rules: the same querysets (visible_to, public
at known_at, statuses as of as_of), the outcome list's and summit list's own FilterSets
(tracker.filters), and, for outcomes, the export's rows (tracker.views.exports), so that a
filter selects the same records on the page, in the files and here, and an outcome has the
same fields in the JSON export and in the API.
"""
