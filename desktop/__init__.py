"""南阳跨境电商综试区 统计填报系统 — offline county and municipal reporting client."""
__version__ = "0.1.0"
APP_NAME = "南阳跨境电商填报"
APP_ID = "nanyang-cbec"
