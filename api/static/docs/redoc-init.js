/* Start ReDoc on this server's OpenAPI schema (kept out of the page: the CSP allows no inline script). */
Redoc.init("/openapi.json", { hideDownloadButton: false }, document.getElementById("redoc"));
