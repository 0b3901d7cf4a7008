"""Django's Redis cache, keeping its redis.Redis client.

Django's RedisCacheClient makes a new redis.Redis for every cache call, and each one builds redis-py's
table of response callbacks (about 170 entries): more time than the call itself on loopback. A Redis
object is safe to share between threads (each command takes a connection from the pool), so keep
one per connection pool.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
