# No generated module for this api: the request arrives as a plain object.
def handle_plain_echo(req):
    return {"data": {"slug": req.slug, "body": req.body, "query": req.query_params,
                     "name": req.body.name}}
