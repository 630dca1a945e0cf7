"""nianbao dashboard (placeholder until the dashboard issue lands)."""
import streamlit as st

st.set_page_config(page_title="nianbao 政府信息公开年报", layout="wide")
st.title("政府信息公开工作年度报告")
st.info("看板尚在建设中。请先运行 `nianbao extract 文件` 读取报告。")
