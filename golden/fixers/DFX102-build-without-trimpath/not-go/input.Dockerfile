FROM node:22
RUN npm run build
