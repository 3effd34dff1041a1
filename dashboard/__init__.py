"""The dashboard's logic without Streamlit: data, fitting, comparison and figures."""
