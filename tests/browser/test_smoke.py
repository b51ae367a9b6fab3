def test_chromium_loads_the_health_page(page, live_server):
    page.goto(live_server.url + "/healthz")
    assert '"database":"ok"' in page.content().replace(" ", "")
